"""/api/v1/party/: one operation per endpoint; thin (selector or one service, render)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["party"])
