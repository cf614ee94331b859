"""/api/v1/stars/: one operation per endpoint; thin (selector or one service, render)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["stars"])
