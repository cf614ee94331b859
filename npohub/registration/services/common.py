"""What every part of the registration services shares: the move context of a guard or effect,
the locked fetch of an application, the region prefix of a division, and the clock's resume.
"""

from __future__ import annotations

import datetime as dt

from npohub.core.workflows import MoveContext
from npohub.regions.models import Region

from ..models import (
    Application,
)

# What a guard or effect reads: the application is ``ctx.obj``, the move ``ctx.move``.
Context = MoveContext[Application]


def _lock(app: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("authority_region", "organization", "category", "supervisory_department")
        .get(pk=app.pk)
    )


def _region_prefix(region: Region) -> str:
    from npohub.regions.codes import prefix_of

    return str(prefix_of(region.code))


def _resume(app: Application, today: dt.date) -> None:
    if app.paused_since is not None:
        app.paused_days += max((today - app.paused_since).days, 0)
        app.paused_since = None
