"""/api/v1/inspections/: one operation per endpoint; thin (selector or one service, render)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["inspections"])
