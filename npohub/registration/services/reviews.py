"""Joint review (联审): one department's opinion; the last one of a round moves the application on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.core.audit import OnBehalfOf, audit_record
from npohub.core.errors import (
    ValidationFailed,
)
from npohub.core.permissions import require

from ..models import (
    Opinion,
    ReviewTask,
)
from ..permissions import (
    can_review,
)
from .common import _lock
from .workflow import application_transition


@transaction.atomic
def review_opinion_give(
    *, actor: Any, task: ReviewTask, opinion: str, reasons: str = "", today: dt.date | None = None
) -> ReviewTask:
    """One department's opinion; the last one of the round moves the application on."""
    app = _lock(task.application)
    task = (
        ReviewTask.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=task.pk)
    )
    task.application = app
    require(can_review(actor, task))
    if opinion not in Opinion.values:
        raise ValidationFailed(
            _("意见应为同意、不同意或需补正材料"), details={"opinion": _("无效")}
        )
    reasons = (reasons or "").strip()
    if opinion != Opinion.AGREE and not reasons:
        raise ValidationFailed(_("不同意或要求补正时须说明理由"), details={"reasons": _("必填")})
    task.opinion = opinion
    task.reasons = reasons
    task.reviewer = actor
    task.decided_at = timezone.now()
    task.save()
    audit_record(
        actor=actor,
        kind="registration.review_opinion",
        target=app,
        payload={
            "department": task.department.name,
            "round": task.round,
            "opinion": opinion,
            "reasons": reasons,
        },
        on_behalf_of=OnBehalfOf(label=task.department.name, ref=f"department:{task.department_id}"),
        organization_id=app.organization_id,
        region_code=app.address_code,
    )
    round_tasks = list(app.review_tasks.filter(round=app.review_round))
    if any(t.is_pending for t in round_tasks):
        return task
    opinions = {t.opinion for t in round_tasks}
    if Opinion.DISAGREE in opinions:
        follow = "review_returned"
    elif Opinion.MORE_MATERIAL in opinions:
        follow = "review_supplement"
    else:
        follow = "review_complete"
    summary = "；".join(
        f"{t.department.name}：{t.get_opinion_display()}{('（' + t.reasons + '）') if t.reasons else ''}"
        for t in round_tasks
    )
    application_transition(actor=None, app=app, transition=follow, note=summary, today=today)
    return task
