"""/api/v1/public/party/: what the portal publishes about party, no sign-in."""

from __future__ import annotations

from ninja import Router

router = Router(auth=None, tags=["public"])
