"""Monthly scorecards: the responsible hub scores a member; a low streak opens an interview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_month
from npohub.hubs.selectors import acting_hub_for
from npohub.orgs.models import Organization

from ..models import (
    InterviewReason,
    InterviewState,
    InterviewTask,
    MonthlyScorecard,
    ScoreAppeal,
    ScorecardItem,
    ScoreLine,
)
from ..permissions import can_score_organization
from ..selectors import low_streak, month_start, template_for
from .common import TENTH, _behalf, _user_or_none
from .interviews import _open_interview

# --- monthly scorecards ------------------------------------------------------------------------


@dataclass
class LineInput:
    points: Any
    reason: str = ""
    evidence: str = ""


def _check_lines(items: list[ScorecardItem], lines: dict[str, LineInput]) -> dict[str, Decimal]:
    errors: dict[str, str] = {}
    points: dict[str, Decimal] = {}
    for item in items:
        data = lines.get(item.code)
        if data is None or data.points in (None, ""):
            errors[item.code] = _("请填写“%(item)s”的得分") % {"item": item.name}
            continue
        try:
            value = Decimal(str(data.points))
        except (InvalidOperation, ValueError):
            value = Decimal("-1")
        if not value.is_finite() or value < 0 or value > item.max_points:
            errors[item.code] = _("“%(item)s”的得分须在0到%(max)s分之间") % {
                "item": item.name,
                "max": item.max_points,
            }
        elif value.quantize(TENTH) != value:
            errors[item.code] = _("“%(item)s”的得分最多保留一位小数") % {"item": item.name}
        elif value < item.max_points and not (data.reason.strip() and data.evidence.strip()):
            errors[item.code] = _("“%(item)s”扣分须填写扣分理由和依据") % {"item": item.name}
        else:
            points[item.code] = value
    for code in sorted(set(lines) - {i.code for i in items}):
        errors[code] = _("评分表中没有“%(code)s”项目") % {"code": code}
    if errors:
        raise ValidationFailed(
            _("评分未保存：%(errors)s") % {"errors": "；".join(errors.values())},
            code="stars.invalid_scores",
            details=errors,
        )
    return points


@transaction.atomic
def scorecard_record(
    *,
    actor: User,
    organization: Organization,
    period: dt.date,
    lines: dict[str, LineInput],
    note: str = "",
) -> MonthlyScorecard:
    """The responsible hub scores a member for a month (10 points; each deduction with a reason
    and evidence); the month completing a streak of low months opens an interview task."""
    require(can_score_organization(actor, organization))
    hub = acting_hub_for(actor, organization)
    assert hub is not None  # can_score_organization checked it
    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise ValidationFailed(
            _("不能为尚未开始的月份评分"), code="stars.future_month", details={"period": _("无效")}
        )
    template = template_for(organization.address_code)
    if template is None:
        raise ValidationFailed(_("本地区尚未设置月度评分表"), code="stars.no_template")
    items = list(template.items.order_by("sort_order", "id"))
    points = _check_lines(items, lines)
    card = (
        MonthlyScorecard.objects.select_for_update()
        .filter(organization_id=organization.pk, period=period)
        .first()
    )
    if card is not None and ScoreAppeal.objects.filter(line__scorecard=card).exists():
        raise Conflict(
            _("%(month)s的评分已有申诉，不能再修改") % {"month": cn_month(period)},
            code="stars.scorecard_appealed",
        )
    total = sum(points.values(), Decimal("0"))
    if card is None:
        card = MonthlyScorecard(organization=organization, period=period)
    card.template, card.hub, card.total = template, hub, total
    card.note, card.scored_by = note.strip()[:300], _user_or_none(actor)
    card.save()
    card.lines.all().delete()
    ScoreLine.objects.bulk_create(
        [
            ScoreLine(
                scorecard=card,
                item=item,
                points=points[item.code],
                original_points=points[item.code],
                reason=lines[item.code].reason.strip()[:300]
                if points[item.code] < item.max_points
                else "",
                evidence=lines[item.code].evidence.strip()[:500]
                if points[item.code] < item.max_points
                else "",
            )
            for item in items
        ]
    )
    task = _open_low_streak_interview(actor=actor, card=card)
    audit_record(
        actor=actor,
        kind="stars.scorecard_recorded",
        target=card,
        payload={
            "period": period.isoformat(),
            "total": str(total),
            "points": {code: str(value) for code, value in points.items()},
            "interview_task": task.pk if task else None,
        },
        on_behalf_of=_behalf(hub, actor),
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return card


def _open_low_streak_interview(*, actor: User, card: MonthlyScorecard) -> InterviewTask | None:
    """Three (the locality's number) months below 6 in a row → 约谈提醒, once per streak: a
    streak that goes on does not open a second task while the first is still open. Months may
    be entered in any order or corrected: every run of months the card's month belongs to is
    looked at, and the task is named by the run's last month."""
    streak = low_streak(card.organization_id, card.period)
    if not streak:
        return None
    org = card.organization
    still_open = InterviewTask.objects.filter(
        organization_id=org.pk,
        reason=InterviewReason.LOW_MONTHLY,
        state__in=(InterviewState.OPEN, InterviewState.RECTIFYING),
    ).exists()
    if still_open:
        return None
    scores = "、".join(f"{c.period:%Y-%m} {c.total}" for c in streak)
    return _open_interview(
        actor=actor,
        organization=org,
        hub=card.hub,
        reason=InterviewReason.LOW_MONTHLY,
        period=streak[-1].period,
        detail=_("连续%(n)d个月评分低于6分：%(scores)s") % {"n": len(streak), "scores": scores},
        assignee=_user_or_none(actor),
    )
