"""/api/v1/public/enforcement/: what the portal publishes about enforcement, no sign-in."""

from __future__ import annotations

from ninja import Router

router = Router(auth=None, tags=["public"])
