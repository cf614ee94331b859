"""/api/v1/public/credit/: what the portal publishes about credit, no sign-in."""

from __future__ import annotations

from ninja import Router

router = Router(auth=None, tags=["public"])
