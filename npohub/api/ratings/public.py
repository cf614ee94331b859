"""/api/v1/public/ratings/: published grades, open to everyone."""

from __future__ import annotations

from ninja import Router

router = Router(auth=None, tags=["public"])
