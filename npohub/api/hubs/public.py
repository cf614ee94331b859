"""/api/v1/public/hubs/: what the portal publishes about hubs, no sign-in."""

from __future__ import annotations

from ninja import Router

router = Router(auth=None, tags=["public"])
