"""/api/v1/ratings/: one operation per endpoint; thin (selector or one service, render)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["ratings"])
