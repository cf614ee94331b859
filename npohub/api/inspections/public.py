"""/api/v1/public/inspections/: what the portal publishes about inspections, no sign-in."""

from __future__ import annotations

from ninja import Router

router = Router(auth=None, tags=["public"])
