"""Writes of the stars app: monthly scores, appeals, interviews, star ratings, award rounds.

Hub staff act for the bureau (``hubs.services.on_behalf_of_bureau``): their scores and star
assessments are audited with the hub as the delegate. Recording a month that completes a
streak of low months opens an interview task in the same transaction; publishing the year's
stars opens one for every organisation at or below the interview level.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import OnBehalfOf, audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.permissions import require
from npohub.credit.eligibility import is_eligible
from npohub.hubs.models import Hub
from npohub.hubs.selectors import acting_hub_for
from npohub.hubs.services import on_behalf_of_bureau
from npohub.notifications.services import notify
from npohub.orgs.models import AccessReason, Organization

from .models import (
    AwardKind,
    AwardRound,
    InterviewReason,
    InterviewState,
    InterviewTask,
    MonthlyScorecard,
    Nomination,
    RemovalFlag,
    ScoreAppeal,
    ScorecardItem,
    ScorecardTemplate,
    ScoreLine,
    StarAssessment,
    Vote,
)
from .permissions import (
    can_activate_template,
    can_assess_stars,
    can_create_award_round,
    can_decide_appeal,
    can_file_appeal,
    can_manage_award_round,
    can_manage_templates,
    can_nominate,
    can_publish_stars,
    can_retire_template,
    can_score_organization,
    can_vote,
    can_work_interview,
)
from .policy import policy_for
from .selectors import low_streak, month_start, monthly_average, template_for
from .workflows import APPEAL_TRANSITIONS, AWARD_TRANSITIONS, transition_for

TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
TEMPLATE_TOTAL = Decimal("10")
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _org_users(org_id: int) -> Any:
    return User.objects.filter(
        is_active=True,
        organization_grants__organization_id=org_id,
        organization_grants__reason=AccessReason.OWN,
    ).distinct()


def _behalf(hub: Hub | None, actor: Any) -> OnBehalfOf | None:
    """The delegate label when a hub's staff member acts (bureaus act in their own name)."""
    if hub is None or getattr(actor, "role", "") != "hub_staff":
        return None
    return on_behalf_of_bureau(hub)


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            _("%(label)s不是有效的数字") % {"label": label}, details={field: _("无效")}
        ) from None
    if not number.is_finite():
        raise ValidationFailed(
            _("%(label)s不是有效的数字") % {"label": label}, details={field: _("无效")}
        )
    return number


# --- templates -------------------------------------------------------------------------------


@dataclass
class ItemInput:
    code: str
    name: str
    max_points: Decimal
    guidance: str = ""
    is_party_building: bool = False


def _row_label(row: int, name: str) -> str:
    if name:
        return _("第%(row)d项“%(name)s”") % {"row": row, "name": name}
    return _("第%(row)d项") % {"row": row}


def _row_points_error(value: Any) -> str | None:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return _("分值不是有效的数字")
    if not points.is_finite() or points <= 0:
        return _("分值须大于0（现为%(points)s）") % {"points": value}
    if points.quantize(TENTH) != points:
        return _("分值最多保留一位小数")
    if points > TEMPLATE_TOTAL:
        return _("分值不能超过10分")
    return None


def _row_code_error(code: str, seen: dict[str, int]) -> str | None:
    if not code:
        return _("缺少项目代码")
    if len(code) > 40 or not SLUG.fullmatch(code):
        return _("项目代码“%(code)s”只能由字母、数字、连字符和下划线组成（至多40个字符）") % {
            "code": code
        }
    if code in seen:
        return _("项目代码“%(code)s”与第%(other)d项重复") % {"code": code, "other": seen[code]}
    return None


def _check_template_items(items: list[ItemInput]) -> None:
    """The rows of a scorecard, one by one: a name (no two alike), positive points with at most
    one decimal, a code (no two alike), guidance of at most 300 characters. Refuses naming
    every bad row (第N项, counted from 1 in the order given); ``details`` keys are
    ``items.<row>.<field>``. The 10-point total is checked after the rows."""
    if not items:
        raise ValidationFailed(
            _("请至少填写一个评分项目"), code="stars.template_items", details={"items": _("必填")}
        )
    errors: dict[str, str] = {}
    names: dict[str, int] = {}
    codes: dict[str, int] = {}
    for row, item in enumerate(items, start=1):
        name, code = item.name.strip(), item.code.strip()
        label = _row_label(row, name)
        if not name:
            errors[f"items.{row}.name"] = _("%(row)s：请填写评分项目名称") % {"row": label}
        elif len(name) > 100:
            errors[f"items.{row}.name"] = _("%(row)s：名称不能超过100个字符") % {"row": label}
        elif name in names:
            errors[f"items.{row}.name"] = _("%(row)s：与第%(other)d项重名") % {
                "row": label,
                "other": names[name],
            }
        if name:
            names.setdefault(name, row)
        points_error = _row_points_error(item.max_points)
        if points_error:
            errors[f"items.{row}.max_points"] = f"{label}：{points_error}"
        code_error = _row_code_error(code, codes)
        if code_error:
            errors[f"items.{row}.code"] = f"{label}：{code_error}"
        if code:
            codes.setdefault(code, row)
        if len(item.guidance.strip()) > 300:
            errors[f"items.{row}.guidance"] = _("%(row)s：评分要点不能超过300个字符") % {
                "row": label
            }
    if errors:
        raise ValidationFailed(
            "；".join(errors.values()), code="stars.template_items", details=errors
        )


@transaction.atomic
def scorecard_template_create(
    *, actor: Any, name: str, region_code: str, items: list[ItemInput]
) -> ScorecardTemplate:
    """A locality's monthly scorecard: items worth 10 points in all; replaces the active one."""
    require(can_manage_templates(actor, region_code))
    codes = [i.code.strip() for i in items]
    if not name.strip():
        raise ValidationFailed(_("请填写评分表名称"), details={"name": _("必填")})
    _check_template_items(items)
    total = sum((Decimal(str(i.max_points)) for i in items), Decimal("0"))
    if total != TEMPLATE_TOTAL or any(Decimal(str(i.max_points)) <= 0 for i in items):
        raise ValidationFailed(
            _("各评分项目分值须为正数且合计10分（现为%(total)s分）") % {"total": total},
            code="stars.template_total",
            details={"items": _("无效")},
        )
    ScorecardTemplate.objects.filter(region_code=region_code, is_active=True).update(
        is_active=False
    )
    template = ScorecardTemplate.objects.create(name=name.strip(), region_code=region_code)
    ScorecardItem.objects.bulk_create(
        [
            ScorecardItem(
                template=template,
                code=item.code.strip(),
                name=item.name.strip(),
                max_points=Decimal(str(item.max_points)),
                guidance=item.guidance.strip(),
                is_party_building=item.is_party_building,
                sort_order=order,
            )
            for order, item in enumerate(items, start=1)
        ]
    )
    audit_record(
        actor=actor,
        kind="stars.template_created",
        target=template,
        payload={"region_code": region_code, "items": codes},
        region_code=region_code,
    )
    return template


@transaction.atomic
def scorecard_template_activate(*, actor: Any, template: ScorecardTemplate) -> ScorecardTemplate:
    """Put an earlier version of a locality's scorecard back in force; the locality's active
    one is retired in the same step (scorecards already filled keep their own version)."""
    template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
    require(can_activate_template(actor, template))
    current = ScorecardTemplate.objects.filter(region_code=template.region_code, is_active=True)
    replaced = list(current.values_list("pk", flat=True))
    current.update(is_active=False)
    template.is_active = True
    template.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        kind="stars.template_activated",
        target=template,
        payload={"region_code": template.region_code, "replaced": replaced},
        region_code=template.region_code,
    )
    return template


@transaction.atomic
def scorecard_template_retire(*, actor: Any, template: ScorecardTemplate) -> ScorecardTemplate:
    """Stop a locality's scorecard: its organisations are scored on the enclosing region's."""
    template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
    require(can_retire_template(actor, template))
    template.is_active = False
    template.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        kind="stars.template_retired",
        target=template,
        payload={"region_code": template.region_code},
        region_code=template.region_code,
    )
    return template


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
    actor: Any,
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
            _("%(month)s的评分已有申诉，不能再修改") % {"month": period.strftime("%Y-%m")},
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


def _open_interview(
    *,
    actor: Any,
    organization: Organization,
    hub: Hub | None,
    reason: str,
    period: dt.date,
    detail: str,
    assignee: Any,
) -> InterviewTask | None:
    """Open the task once per cause (organisation, reason, period); notify the assignee."""
    if InterviewTask.objects.filter(
        organization_id=organization.pk, reason=reason, period=period
    ).exists():
        return None
    policy = policy_for(organization.address_code)
    today = timezone.localdate()
    task = InterviewTask.objects.create(
        organization=organization,
        hub=hub,
        reason=reason,
        detail=detail[:300],
        period=period,
        assignee=assignee,
        due_on=today + dt.timedelta(days=int(policy["interview_due_days"])),
    )
    if assignee is not None:
        notify(
            recipients=[assignee],
            kind="stars.interview",
            title=_("约谈提醒：%(org)s") % {"org": organization.name},
            body=task.detail,
            url=reverse("stars:interview-detail", args=[task.pk]),
        )
    return task


def _open_low_streak_interview(*, actor: Any, card: MonthlyScorecard) -> InterviewTask | None:
    """Three (the locality's number) months below 6 in a row → 约谈提醒, once per streak: a
    streak that goes on does not open a second task while the first is still open."""
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
        period=card.period,
        detail=_("连续%(n)d个月评分低于6分：%(scores)s") % {"n": len(streak), "scores": scores},
        assignee=_user_or_none(actor),
    )


# --- appeals ----------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, actor: Any, line: ScoreLine, grounds: str) -> ScoreAppeal:
    """The organisation appeals one deduction (one open appeal per line)."""
    line = ScoreLine.objects.select_related(
        "scorecard__organization", "scorecard__hub", "item"
    ).get(pk=line.pk)
    card = line.scorecard
    require(can_file_appeal(actor, card))
    if line.points >= line.item.max_points:
        raise ValidationFailed(
            _("“%(item)s”没有扣分，无需申诉") % {"item": line.item.name},
            code="stars.nothing_to_appeal",
        )
    if not grounds.strip():
        raise ValidationFailed(_("请填写申诉理由"), details={"grounds": _("必填")})
    try:
        with transaction.atomic():
            appeal = ScoreAppeal.objects.create(
                line=line,
                organization=card.organization,
                grounds=grounds.strip(),
                filed_by=_user_or_none(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("“%(item)s”已有待处理的申诉") % {"item": line.item.name},
            code="stars.appeal_pending",
        ) from None
    audit_record(
        actor=actor,
        kind="stars.appeal_filed",
        target=appeal,
        payload={"line": line.pk, "item": line.item.code, "period": card.period.isoformat()},
        organization_id=card.organization_id,
        region_code=card.organization.address_code,
    )
    if card.scored_by_id:
        notify(
            recipients=User.objects.filter(pk=card.scored_by_id),
            kind="stars.appeal",
            title=_("%(org)s对%(month)s评分提出申诉")
            % {"org": card.organization.name, "month": card.period.strftime("%Y-%m")},
            body=appeal.grounds[:500],
            url=reverse("stars:appeal-detail", args=[appeal.pk]),
            actor=_user_or_none(actor),
        )
    return appeal


def _adjust_points(appeal: ScoreAppeal, points: Decimal) -> None:
    line = appeal.line
    if points < 0 or points > line.item.max_points or points.quantize(TENTH) != points:
        raise ValidationFailed(
            _("调整后得分须在0到%(max)s分之间，最多一位小数") % {"max": line.item.max_points},
            code="stars.invalid_adjustment",
            details={"adjusted_points": _("无效")},
        )
    if points <= line.points:
        raise ValidationFailed(
            _("调整后得分须高于原得分%(points)s分；不调整请选择维持原评分")
            % {"points": line.points},
            code="stars.invalid_adjustment",
            details={"adjusted_points": _("无效")},
        )
    delta = points - line.points
    line.points = points
    line.save(update_fields=["points"])
    MonthlyScorecard.objects.filter(pk=line.scorecard_id).update(total=F("total") + delta)
    appeal.adjusted_points = points


@transaction.atomic
def appeal_transition(
    *,
    actor: Any,
    appeal: ScoreAppeal,
    transition: str,
    note: str = "",
    adjusted_points: Any = None,
) -> ScoreAppeal:
    """Decide an appeal by the table in ``workflows.APPEAL_TRANSITIONS`` (uphold / adjust)."""
    appeal = (
        ScoreAppeal.objects.select_for_update(of=("self",))
        .select_related(
            "organization__authority_region",
            "line__item",
            "line__scorecard__hub__organization",
        )
        .get(pk=appeal.pk)
    )
    move = transition_for(APPEAL_TRANSITIONS, transition)
    if move is None or appeal.state not in move.sources:
        raise InvalidTransition(_("该申诉当前不能执行此操作"), code="stars.invalid_transition")
    require(can_decide_appeal(actor, appeal))
    if move.needs_note and not note.strip():
        raise ValidationFailed(_("请填写处理意见"), details={"note": _("必填")})
    before = appeal.line.points
    if move.effect == "adjust_points":
        if adjusted_points in (None, ""):
            raise ValidationFailed(_("请填写调整后得分"), details={"adjusted_points": _("必填")})
        _adjust_points(appeal, _decimal(adjusted_points, "adjusted_points", _("调整后得分")))
    appeal.state = move.target
    appeal.decision_note = note.strip()
    appeal.decided_by = _user_or_none(actor)
    appeal.decided_at = timezone.now()
    appeal.save(
        update_fields=[
            "state",
            "decision_note",
            "decided_by",
            "decided_at",
            "adjusted_points",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        kind=f"stars.appeal_{move.target}",
        target=appeal,
        payload={
            "transition": move.name,
            "points_before": str(before),
            "points_after": str(appeal.line.points),
        },
        organization_id=appeal.organization_id,
        region_code=appeal.organization.address_code,
    )
    notify(
        recipients=_org_users(appeal.organization_id),
        kind="stars.appeal",
        title=_("评分申诉已处理：%(state)s") % {"state": appeal.get_state_display()},
        body=appeal.decision_note[:500],
        url=reverse("stars:appeal-detail", args=[appeal.pk]),
        actor=_user_or_none(actor),
    )
    return appeal


# --- interviews -------------------------------------------------------------------------------


def _locked_task(task: InterviewTask) -> InterviewTask:
    return (
        InterviewTask.objects.select_for_update(of=("self",))
        .select_related("organization__authority_region", "hub")
        .get(pk=task.pk)
    )


@transaction.atomic
def interview_record(
    *,
    actor: Any,
    task: InterviewTask,
    held_on: dt.date,
    outcome: str,
    rectification_due: dt.date | None = None,
) -> InterviewTask:
    """The interview was held: its outcome and the rectification deadline (default: the
    locality's rectification period after the interview)."""
    task = _locked_task(task)
    require(can_work_interview(actor, task))
    if task.state != InterviewState.OPEN:
        raise InvalidTransition(_("该约谈已记录"), code="stars.interview_recorded")
    errors = {}
    if not outcome.strip():
        errors["outcome"] = _("必填")
    if held_on > timezone.localdate():
        errors["held_on"] = _("约谈日期不能晚于今天")
    days = int(policy_for(task.organization.address_code)["rectification_days"])
    due = rectification_due or held_on + dt.timedelta(days=days)
    if due <= held_on:
        errors["rectification_due"] = _("整改期限须晚于约谈日期")
    if errors:
        raise ValidationFailed(
            _("约谈记录未保存：%(errors)s") % {"errors": "；".join(errors.values())},
            details=errors,
        )
    task.state, task.held_on, task.outcome = InterviewState.RECTIFYING, held_on, outcome.strip()
    task.rectification_due = due
    task.save(update_fields=["state", "held_on", "outcome", "rectification_due", "updated_at"])
    audit_record(
        actor=actor,
        kind="stars.interview_held",
        target=task,
        payload={"held_on": held_on.isoformat(), "rectification_due": due.isoformat()},
        on_behalf_of=_behalf(task.hub, actor),
        organization_id=task.organization_id,
        region_code=task.organization.address_code,
    )
    notify(
        recipients=_org_users(task.organization_id),
        kind="stars.interview",
        title=_("约谈整改通知：请于%(due)s前完成整改") % {"due": due.isoformat()},
        body=task.outcome[:500],
        url=reverse("stars:my-scorecards"),
        actor=_user_or_none(actor),
    )
    return task


@transaction.atomic
def interview_resolve(
    *, actor: Any, task: InterviewTask, rectified: bool, note: str
) -> InterviewTask:
    """Check the rectification: done closes the task; not done flags the organisation for
    removal from its incubation base (整改不到位的责令退出孵化中心)."""
    task = _locked_task(task)
    require(can_work_interview(actor, task))
    if task.state != InterviewState.RECTIFYING:
        raise InvalidTransition(_("请先记录约谈情况"), code="stars.interview_not_held")
    if not note.strip():
        raise ValidationFailed(_("请填写整改核查意见"), details={"note": _("必填")})
    today = timezone.localdate()
    task.state = InterviewState.RECTIFIED if rectified else InterviewState.UNRESOLVED
    task.resolution_note, task.resolved_on = note.strip(), today
    task.save(update_fields=["state", "resolution_note", "resolved_on", "updated_at"])
    flag = None
    if not rectified:
        flag = RemovalFlag.objects.create(
            organization=task.organization,
            hub=task.hub,
            task=task,
            reason=_("%(detail)s；约谈后整改不到位：%(note)s")
            % {"detail": task.detail, "note": task.resolution_note},
            flagged_on=today,
        )
    audit_record(
        actor=actor,
        kind="stars.interview_resolved",
        target=task,
        payload={"rectified": rectified, "removal_flag": flag.pk if flag else None},
        on_behalf_of=_behalf(task.hub, actor),
        organization_id=task.organization_id,
        region_code=task.organization.address_code,
    )
    return task


@transaction.atomic
def rectification_overdue_sweep(*, on: dt.date | None = None) -> int:
    """Rectifications still open after their deadline are unresolved: each task is closed as
    整改不到位 and the organisation flagged for removal from its incubation base (system job)."""
    day = on or timezone.localdate()
    tasks = list(
        InterviewTask.objects.select_for_update(of=("self",))
        .select_related("organization", "hub")
        .filter(state=InterviewState.RECTIFYING, rectification_due__lt=day)
        .order_by("id")
    )
    for task in tasks:
        task.state, task.resolved_on = InterviewState.UNRESOLVED, day
        task.resolution_note = _("逾期未整改（整改期限%(due)s）") % {
            "due": task.rectification_due.isoformat() if task.rectification_due else ""
        }
        task.save(update_fields=["state", "resolved_on", "resolution_note", "updated_at"])
        flag = RemovalFlag.objects.create(
            organization=task.organization,
            hub=task.hub,
            task=task,
            reason=_("%(detail)s；%(note)s")
            % {"detail": task.detail, "note": task.resolution_note},
            flagged_on=day,
        )
        audit_record(
            actor=None,
            kind="stars.interview_resolved",
            target=task,
            payload={"rectified": False, "removal_flag": flag.pk, "overdue": True},
            organization_id=task.organization_id,
            region_code=task.organization.address_code,
        )
    return len(tasks)


# --- annual star rating -------------------------------------------------------------------------


@dataclass(frozen=True)
class StarResult:
    composite: Decimal
    stars: int
    capped: bool


def compute_stars(
    *,
    monthly_average: Decimal,
    self_score: Decimal,
    peer_score: Decimal,
    resident_score: Decimal,
    party_building_passed: bool,
    policy: dict[str, Any],
) -> StarResult:
    """Weighted composite out of 100 (the monthly average, out of 10, scaled to 100), mapped to
    stars by the locality's thresholds; a failing party-building criterion caps the stars."""
    weights = {k: Decimal(str(v)) for k, v in policy["weights"].items()}
    parts = {
        "monthly": monthly_average * 10,
        "self": self_score,
        "peer": peer_score,
        "resident": resident_score,
    }
    total_weight = sum(weights.values(), Decimal("0")) or Decimal("1")
    composite = sum((parts[k] * weights.get(k, Decimal("0")) for k in parts), Decimal("0"))
    composite = (composite / total_weight).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    stars = 1
    for minimum, level in sorted(policy["star_thresholds"], key=lambda t: -Decimal(str(t[0]))):
        if composite >= Decimal(str(minimum)):
            stars = int(level)
            break
    cap = int(policy["party_fail_cap"])
    capped = not party_building_passed and stars > cap
    return StarResult(composite, cap if capped else stars, capped)


@dataclass
class StarInput:
    self_score: Any
    peer_score: Any
    resident_score: Any
    party_building_passed: bool
    party_note: str = ""


@transaction.atomic
def star_assessment_record(
    *, actor: Any, organization: Organization, year: int, data: StarInput
) -> StarAssessment:
    """Rate the organisation for ``year`` (1–5 stars) from its monthly average and the self,
    peer and resident evaluations, party building first; re-recording replaces an unpublished
    rating."""
    require(can_assess_stars(actor, organization))
    errors: dict[str, str] = {}
    scores: dict[str, Decimal] = {}
    labels = {"self_score": _("自评"), "peer_score": _("互评"), "resident_score": _("群众评")}
    for field, label in labels.items():
        value = _decimal(getattr(data, field), field, str(label))
        if value < 0 or value > 100:
            errors[field] = _("%(label)s须在0到100分之间") % {"label": label}
        scores[field] = value
    if year > timezone.localdate().year or year < 2000:
        errors["year"] = _("年度无效")
    if not data.party_building_passed and not data.party_note.strip():
        errors["party_note"] = _("党建落实不合格时须说明情况")
    if errors:
        raise ValidationFailed(
            _("星级评定未保存：%(errors)s") % {"errors": "；".join(errors.values())},
            details=errors,
        )
    average, months = monthly_average(organization, year)
    if months == 0:
        raise ValidationFailed(
            _("%(org)s在%(year)d年没有月度评分，不能评定星级")
            % {"org": organization.name, "year": year},
            code="stars.no_monthly_scores",
        )
    existing = (
        StarAssessment.objects.select_for_update()
        .filter(organization_id=organization.pk, year=year)
        .first()
    )
    if existing is not None and existing.is_published:
        raise Conflict(_("该组织本年度星级已公布，不能修改"), code="stars.already_published")
    policy = policy_for(organization.address_code)
    result = compute_stars(
        monthly_average=average,
        self_score=scores["self_score"],
        peer_score=scores["peer_score"],
        resident_score=scores["resident_score"],
        party_building_passed=data.party_building_passed,
        policy=policy,
    )
    hub = acting_hub_for(actor, organization) if getattr(actor, "role", "") == "hub_staff" else None
    item = existing or StarAssessment(organization=organization, year=year)
    item.hub = hub or item.hub
    item.region_code = organization.address_code
    item.months_scored, item.monthly_average = months, average
    item.self_score = scores["self_score"]
    item.peer_score = scores["peer_score"]
    item.resident_score = scores["resident_score"]
    item.party_building_passed = data.party_building_passed
    item.party_note = data.party_note.strip()[:300]
    item.composite, item.stars, item.capped = result.composite, result.stars, result.capped
    item.weights = dict(policy["weights"])
    item.assessed_by = _user_or_none(actor)
    item.save()
    audit_record(
        actor=actor,
        kind="stars.assessment_recorded",
        target=item,
        payload={
            "year": year,
            "composite": str(result.composite),
            "stars": result.stars,
            "capped": result.capped,
            "monthly_average": str(average),
        },
        on_behalf_of=_behalf(hub, actor),
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return item


@transaction.atomic
def star_results_publish(*, actor: Any, year: int, region_code: str) -> int:
    """Publish the year's ratings inside the bureau's region; three stars or fewer → an
    interview with a rectification deadline. Returns how many were published."""
    require(can_publish_stars(actor, region_code))
    prefix = region_code.rstrip("0") if len(region_code) == 12 else region_code
    items = list(
        StarAssessment.objects.select_for_update(of=("self",))
        .select_related("organization", "hub")
        .filter(year=year, is_published=False, region_code__startswith=prefix)
        .order_by("id")
    )
    if not items:
        raise ValidationFailed(
            _("%(year)d年没有待公布的星级评定") % {"year": year}, code="stars.nothing_to_publish"
        )
    today = timezone.localdate()
    opened = 0
    for item in items:
        item.is_published, item.published_on = True, today
        limit = int(policy_for(item.region_code)["interview_stars_at_most"])
        if item.stars <= limit:
            task = _open_interview(
                actor=actor,
                organization=item.organization,
                hub=item.hub,
                reason=InterviewReason.LOW_STARS,
                period=dt.date(year, 1, 1),
                detail=_("%(year)d年度评定为%(stars)d星级（综合得分%(composite)s）")
                % {"year": year, "stars": item.stars, "composite": item.composite},
                assignee=item.assessed_by,
            )
            opened += int(task is not None)
    StarAssessment.objects.bulk_update(items, ["is_published", "published_on"])
    audit_record(
        actor=actor,
        kind="stars.results_published",
        target=items[0],
        payload={"year": year, "region": prefix, "published": len(items), "interviews": opened},
        region_code=prefix,
    )
    return len(items)


# --- award rounds -----------------------------------------------------------------------------


@dataclass
class RoundInput:
    title: str
    kind: str
    year: int
    region_code: str
    vote_opens: dt.date
    vote_closes: dt.date
    winners: int | None = None


@transaction.atomic
def award_round_create(*, actor: Any, data: RoundInput) -> AwardRound:
    """The bureau opens a selection round (优秀社会组织 / 十佳) for its region."""
    require(can_create_award_round(actor, data.region_code))
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("请填写评选名称")
    if data.kind not in AwardKind.values:
        errors["kind"] = _("请选择评选类别")
    winners = data.winners or (10 if data.kind == AwardKind.TOP_TEN else 0)
    if winners < 1:
        errors["winners"] = _("评选名额须至少为1")
    if data.vote_closes < data.vote_opens:
        errors["vote_closes"] = _("投票截止日期不能早于开始日期")
    if errors:
        raise ValidationFailed(
            _("评选未创建：%(errors)s") % {"errors": "；".join(errors.values())}, details=errors
        )
    award_round = AwardRound.objects.create(
        title=data.title.strip(),
        kind=data.kind,
        year=data.year,
        region_code=data.region_code,
        winners=winners,
        vote_opens=data.vote_opens,
        vote_closes=data.vote_closes,
        created_by=_user_or_none(actor),
    )
    audit_record(
        actor=actor,
        kind="stars.award_round_created",
        target=award_round,
        payload={"kind": data.kind, "year": data.year, "winners": winners},
        region_code=data.region_code,
    )
    return award_round


@transaction.atomic
def nomination_create(
    *, actor: Any, award_round: AwardRound, organization: Organization, statement: str
) -> Nomination:
    """Nominate an eligible organisation (``credit.eligibility.is_eligible`` for "award")."""
    award_round = AwardRound.objects.select_for_update().get(pk=award_round.pk)
    require(can_nominate(actor, award_round, organization))
    if not statement.strip():
        raise ValidationFailed(_("请填写推荐理由"), details={"statement": _("必填")})
    eligibility = is_eligible(organization, "award")
    if not eligibility:
        reasons = "；".join(r.message for r in eligibility.reasons)
        raise ValidationFailed(
            _("%(org)s不符合评优条件：%(reasons)s")
            % {"org": organization.name, "reasons": reasons},
            code="stars.not_eligible",
            details={"organization": [r.message for r in eligibility.reasons]},
        )
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                award_round=award_round,
                organization=organization,
                statement=statement.strip(),
                nominated_by=_user_or_none(actor),
            )
    except IntegrityError:
        raise Conflict(
            _("%(org)s已被推荐") % {"org": organization.name}, code="stars.already_nominated"
        ) from None
    hub = acting_hub_for(actor, organization) if getattr(actor, "role", "") == "hub_staff" else None
    audit_record(
        actor=actor,
        kind="stars.nominated",
        target=nomination,
        payload={"round": award_round.pk},
        on_behalf_of=_behalf(hub, actor),
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return nomination


@transaction.atomic
def vote_cast(*, actor: Any, nomination: Nomination) -> Vote:
    """One vote per voter per nominee, inside the voting window."""
    nomination = Nomination.objects.select_related("award_round", "organization").get(
        pk=nomination.pk
    )
    require(can_vote(actor, nomination))
    try:
        with transaction.atomic():
            vote = Vote.objects.create(nomination=nomination, voter=actor, cast_at=timezone.now())
    except IntegrityError:
        raise Conflict(
            _("您已为%(org)s投过票") % {"org": nomination.organization.name},
            code="stars.already_voted",
        ) from None
    Nomination.objects.filter(pk=nomination.pk).update(vote_count=F("vote_count") + 1)
    audit_record(
        actor=actor,
        kind="stars.vote_cast",
        target=nomination,
        payload={"round": nomination.award_round_id},
        organization_id=nomination.organization_id,
        region_code=nomination.organization.address_code,
    )
    return vote


def _count_votes(award_round: AwardRound) -> list[int]:
    """Rank nominees by votes (ties share a rank); the first ``winners`` places win."""
    nominations = list(award_round.nominations.order_by("-vote_count", "id"))
    previous: int | None = None
    rank = 0
    winners = []
    for position, item in enumerate(nominations, start=1):
        if item.vote_count != previous:
            rank, previous = position, item.vote_count
        item.rank = rank
        item.is_winner = rank <= award_round.winners and item.vote_count > 0
        if item.is_winner:
            winners.append(item.pk)
    Nomination.objects.bulk_update(nominations, ["rank", "is_winner"])
    return winners


@transaction.atomic
def award_round_transition(*, actor: Any, award_round: AwardRound, transition: str) -> AwardRound:
    """Move a round by ``workflows.AWARD_TRANSITIONS``: open voting, then count and finish."""
    award_round = AwardRound.objects.select_for_update().get(pk=award_round.pk)
    move = transition_for(AWARD_TRANSITIONS, transition)
    if move is None or award_round.state not in move.sources:
        raise InvalidTransition(_("该评选当前不能执行此操作"), code="stars.invalid_transition")
    require(can_manage_award_round(actor, award_round))
    payload: dict[str, Any] = {"transition": move.name}
    if move.effect == "require_nominations" and not award_round.nominations.exists():
        raise ValidationFailed(_("尚无推荐对象，不能开始投票"), code="stars.no_nominations")
    if move.effect == "count_votes":
        payload["winners"] = _count_votes(award_round)
        award_round.finished_on = timezone.localdate()
    award_round.state = move.target
    award_round.save(update_fields=["state", "finished_on", "updated_at"])
    audit_record(
        actor=actor,
        kind=f"stars.award_round_{move.target}",
        target=award_round,
        payload=payload,
        region_code=award_round.region_code,
    )
    return award_round
