"""/api/v1/hubs/: one operation per endpoint; thin (selector or one service, render).

Objects come from the scoped selectors (404 for missing and not yours alike); services decide
who may act (403 with the Chinese reason) and what is valid (422 naming the field). What a
caller sees of a hub (staff, reviews, notices) is ``hubs.permissions.hub_view``, as on the page.

One module per sub-domain, all on one router (importing them registers their operations).
"""

from __future__ import annotations

from . import bureau_work, federations, hubs, platforms  # noqa: F401 - registers operations
from .common import router
from .coverage import coverage_figures

__all__ = ["coverage_figures", "router"]
