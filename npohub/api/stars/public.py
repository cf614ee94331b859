"""/api/v1/public/stars/: published star ratings and awards, open to everyone."""

from __future__ import annotations

from ninja import Router

router = Router(auth=None, tags=["public"])
