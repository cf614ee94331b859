"""/api/v1/public/supervision/: what the portal publishes about supervision, no sign-in."""

from __future__ import annotations

from ninja import Router

router = Router(auth=None, tags=["public"])
