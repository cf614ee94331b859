"""Grades: award, tracking, downgrade, lapse, reminders (rules 42–43)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date
from npohub.core.workflows import (
    HistoryRow,
    MoveContext,
    Transition,
    Workflow,
    history_for,
    history_for_many,
    record_event,
    register,
    run_move,
)
from npohub.credit.eligibility import is_eligible
from npohub.credit.policy import add_years
from npohub.notifications.services import notify
from npohub.orgs.scope import organization_accounts

from ..models import Application, ApplicationState, Grade, GradeState, Level, Round
from ..permissions import can_manage_grade, grade_capacities
from ..policy import LEVELS, policy_for
from ..workflows import (
    BUREAU,
    GRADE_AWARDED,
    GRADE_KEY,
    GRADE_REISSUED,
    GRADE_SUPERSEDED,
    GRADE_TRANSITIONS,
)
from .common import PURPOSE, RatingError

# ---------------------------------------------------------------------------------------------
# Grades: award, tracking, downgrade, lapse, reminders


def _end_current(org_id: int, on: dt.date, actor: User | None) -> None:
    """The grade a new round's award replaces ends (recorded as a move of the grade)."""
    reason = str(_("被新一轮评估等级取代"))
    for grade in Grade.objects.filter(organization_id=org_id, state=GradeState.VALID):
        grade.state = GradeState.EXPIRED
        grade.ended_on, grade.reason = on, reason[:300]
        grade.save(update_fields=["state", "ended_on", "reason", "updated_at"])
        record_event(
            GRADE_WORKFLOW,
            grade,
            move=GRADE_SUPERSEDED.name,
            from_state=GradeState.VALID,
            to_state=GradeState.EXPIRED,
            actor=actor,
        )


def _award(
    round: Round, app: Application, today: dt.date, serial: int, actor: User | None = None
) -> Grade:
    _end_current(app.organization_id, today, actor)
    grade = Grade.objects.create(
        organization=app.organization,
        application=app,
        level=app.level,
        total=app.final_total,
        awarded_on=today,
        valid_until=add_years(today, round.validity_years) - dt.timedelta(days=1),
        certificate_number=f"PG{round.year}{round.region.prefix}{serial:04d}",
    )
    record_event(
        GRADE_WORKFLOW,
        grade,
        move=GRADE_AWARDED.name,
        from_state="",
        to_state=grade.state,
        actor=actor,
    )
    app.state = ApplicationState.AWARDED
    app.save(update_fields=["state", "updated_at"])
    return grade


def grade_track(
    *,
    actor: User,
    grade: Grade,
    certificate_issued_on: dt.date | None = None,
    plaque_issued_on: dt.date | None = None,
    certificate_returned_on: dt.date | None = None,
    plaque_returned_on: dt.date | None = None,
) -> Grade:
    """Record the certificate and plaque being handed out or returned."""
    require(can_manage_grade(actor, grade))
    values = {
        "certificate_issued_on": certificate_issued_on,
        "plaque_issued_on": plaque_issued_on,
        "certificate_returned_on": certificate_returned_on,
        "plaque_returned_on": plaque_returned_on,
    }
    changed = {k: v for k, v in values.items() if v is not None and getattr(grade, k) != v}
    for key in ("certificate_returned_on", "plaque_returned_on"):
        if key in changed and grade.state == GradeState.VALID:
            raise ValidationFailed(_("有效的等级无需交回证书和牌匾"), details={key: _("无效")})
    for key, value in changed.items():
        if value < grade.awarded_on:
            raise ValidationFailed(_("日期不能早于授予日期"), details={key: _("无效")})
    if not changed:
        raise ValidationFailed(
            _("没有需要记录的日期"), details={"certificate_issued_on": _("必填")}
        )
    with transaction.atomic():
        for key, value in changed.items():
            setattr(grade, key, value)
        grade.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            kind="ratings.grade_tracked",
            target=grade,
            organization_id=grade.organization_id,
            region_code=grade.organization.address_code,
            payload={k: v.isoformat() for k, v in changed.items()},
        )
    return grade


# --- the grade's moves on the engine (``ratings.grade``) -----------------------------------------

GradeContext = MoveContext[Grade]


def _lower_level(level: str) -> str:
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else ""


def _guard_has_lower_level(ctx: GradeContext) -> None:
    if not _lower_level(ctx.obj.level):
        raise RatingError(
            _("%(level)s已是最低等级，只能取消") % {"level": ctx.obj.level},
            code="ratings.grade_lowest",
        )


def _guard_is_lowest_level(ctx: GradeContext) -> None:
    if _lower_level(ctx.obj.level):
        raise RatingError(
            _("%(level)s不是最低等级，应降级") % {"level": ctx.obj.level},
            code="ratings.grade_not_lowest",
        )


def _effect_step_down(ctx: GradeContext) -> None:
    """Rule 43: one level down (1A is cancelled); the old certificate and plaque go back."""
    grade, on = ctx.obj, ctx.today
    code, ref = str(ctx.data.get("code", "manual")), str(ctx.data.get("ref", ""))
    reason = ctx.note or str(ctx.data.get("reason", ""))
    days = int(policy_for(grade.organization.address_code)["return_days"])
    lower = _lower_level(grade.level)
    grade.ended_on = on
    grade.return_due_on = on + dt.timedelta(days=days)
    grade.trigger_code, grade.trigger_ref, grade.reason = code[:64], ref[:100], reason[:300]
    if lower:
        grade.save()  # no longer valid before the lower grade is (one valid grade per org)
        new = Grade.objects.create(
            organization=grade.organization,
            application=grade.application,
            level=lower,
            total=grade.total,
            awarded_on=on,
            valid_until=grade.valid_until,
            previous=grade,
            trigger_code=code[:64],
            trigger_ref=ref[:100],
            reason=reason[:300],
        )
        record_event(
            GRADE_WORKFLOW,
            new,
            move=GRADE_REISSUED.name,
            from_state="",
            to_state=new.state,
            actor=ctx.actor,
            note=reason,
        )
        ctx.data["new_grade"] = new
    ctx.payload.update(
        {
            "from": grade.level,
            "to": lower,
            "trigger": code,
            "ref": ref,
            "return_due_on": grade.return_due_on.isoformat(),
        }
    )


def _effect_lapse(ctx: GradeContext) -> None:
    grade = ctx.obj
    grade.ended_on = grade.valid_until + dt.timedelta(days=1)
    grade.reason = str(_("有效期届满"))
    ctx.payload["valid_until"] = grade.valid_until.isoformat()


def _notify(ctx: GradeContext) -> None:
    if ctx.move.effect != "step_down":
        return
    grade = ctx.obj
    assert grade.return_due_on is not None
    lower = _lower_level(grade.level)
    notify(
        recipients=organization_accounts(grade.organization_id),
        kind="ratings.grade_changed",
        title=str(
            _("评估等级由%(old)s降为%(new)s，请于%(date)s前交回原证书和牌匾")
            % {
                "old": grade.level,
                "new": lower or _("无等级"),
                "date": cn_date(grade.return_due_on),
            }
        ),
        body=grade.reason,
        actor=ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None,
    )


GRADE_WORKFLOW: Workflow[Grade] = register(
    Workflow(
        key=GRADE_KEY,
        label=gettext_lazy("评估等级"),
        model=Grade,
        states=GradeState,
        moves=GRADE_TRANSITIONS,
        resolver=grade_capacities,
        guards={
            "has_lower_level": _guard_has_lower_level,
            "is_lowest_level": _guard_is_lowest_level,
        },
        effects={"step_down": _effect_step_down, "lapse": _effect_lapse},
        notify=_notify,
        # The audit kinds of before the engine: lapsed, or downgraded (cancel included).
        audit_kind=lambda move: (
            "ratings.grade_lapsed" if move.name == "lapse" else "ratings.grade_downgraded"
        ),
        organization_id=lambda g: g.organization_id,
        region_code=lambda g: g.organization.address_code,
        refusals={BUREAU: lambda: str(_("只有该组织所在地的民政部门可以管理其评估等级"))},
        note_message=lambda move: _("请写明降级事由"),
        invalid_code="ratings.grade_not_valid",
        lock_related=("organization",),
    ),
    extra_moves=(GRADE_AWARDED, GRADE_REISSUED, GRADE_SUPERSEDED),
)


def _step_down(
    grade: Grade, *, actor: User | None, on: dt.date, reason: str, code: str, ref: str
) -> Grade | None:
    """Run the downgrade (or the cancel, for the lowest level) and return the new grade."""
    lowest = not _lower_level(grade.level)
    if actor is None:
        move = "auto_cancel" if lowest else "auto_downgrade"
    else:
        move = "cancel" if lowest else "downgrade"
    data: dict[str, object] = {"code": code, "ref": ref, "reason": reason}
    run_move(GRADE_WORKFLOW, grade, move, actor=actor, note=reason, today=on, data=data)
    return None if lowest else Grade.objects.filter(previous=grade).order_by("-pk").first()


def grade_downgrade(
    *, actor: User, grade: Grade, reason: str, on: dt.date | None = None
) -> Grade | None:
    """Rule 43 by hand: one level down (1A is cancelled); the old certificate and plaque go back
    within 15 days. Returns the new grade (None when cancelled)."""
    on = on or timezone.localdate()
    require(can_manage_grade(actor, grade))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明降级事由"), details={"reason": _("必填")})
    if grade.state != GradeState.VALID:
        raise RatingError(
            _("该等级当前为“%(state)s”，不能降级") % {"state": grade.get_state_display()},
            code="ratings.grade_not_valid",
        )
    return _step_down(grade, actor=actor, on=on, reason=reason, code="manual", ref="")


def grade_moves_for(actor: User, grade: Grade) -> list[Transition]:
    return GRADE_WORKFLOW.moves_for(actor, grade)


def grade_history(grade: Grade) -> list[HistoryRow]:
    return history_for(GRADE_WORKFLOW, grade)


def grade_histories(ids: list[int]) -> dict[int, list[HistoryRow]]:
    """Histories of many grades in one query (the grade list shows them)."""
    return history_for_many(GRADE_WORKFLOW, ids)


@dataclass
class ReviewResult:
    lapsed: int = 0
    downgraded: int = 0
    reminded: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"lapsed": self.lapsed, "downgraded": self.downgraded, "reminded": self.reminded}


def grades_review(*, on: dt.date, actor: User | None = None) -> ReviewResult:
    """The daily job, as of a date and idempotent: lapse grades past their validity, downgrade
    on the triggers of rule 43 (each trigger once), and send expiry reminders."""
    result = ReviewResult()
    with transaction.atomic():
        # The job's moves are the system's (``lapse``, ``auto_downgrade``, ``auto_cancel``),
        # whoever asked for the review; its reminders still name the asker.
        for grade in Grade.objects.filter(state=GradeState.VALID, valid_until__lt=on):
            run_move(GRADE_WORKFLOW, grade, "lapse", actor=None, today=on)
            result.lapsed += 1
        result.downgraded = _review_downgrades(on)
        result.reminded = _send_reminders(on, actor)
    return result


def _review_downgrades(on: dt.date) -> int:
    count = 0
    valid = Grade.objects.filter(state=GradeState.VALID, awarded_on__lte=on).select_related(
        "organization"
    )
    for grade in valid:
        codes = set(policy_for(grade.organization.address_code)["downgrade_reason_codes"])
        result = is_eligible(grade.organization, PURPOSE, on=on)
        for reason in result.reasons:
            if reason.code not in codes:
                continue
            ref = f"{reason.code}:{reason.ref}"[:100]
            seen = Grade.objects.filter(
                organization_id=grade.organization_id, trigger_ref=ref
            ).exists()
            if seen:
                continue
            _step_down(
                grade, actor=None, on=on, reason=str(reason.message), code=reason.code, ref=ref
            )
            count += 1
            break
    return count


def _send_reminders(on: dt.date, actor: User | None) -> int:
    count = 0
    for grade in Grade.objects.filter(state=GradeState.VALID, valid_until__gte=on).select_related(
        "organization"
    ):
        days_left = (grade.valid_until - on).days
        steps = sorted(int(d) for d in policy_for(grade.organization.address_code)["reminder_days"])
        due = [d for d in steps if days_left <= d]
        if not due:
            continue
        step = due[0]
        if grade.last_reminder_days is not None and grade.last_reminder_days <= step:
            continue
        grade.last_reminder_days = step
        grade.save(update_fields=["last_reminder_days", "updated_at"])
        notify(
            recipients=organization_accounts(grade.organization_id),
            kind="ratings.grade_expiring",
            title=str(
                _("评估等级%(level)s将于%(date)s到期，可申请重新评估")
                % {"level": grade.level, "date": cn_date(grade.valid_until)}
            ),
            url="/ratings/rounds/",
            dedupe_key=f"grade:{grade.pk}:{step}",
        )
        audit_record(
            actor=actor,
            kind="ratings.grade_reminded",
            target=grade,
            organization_id=grade.organization_id,
            region_code=grade.organization.address_code,
            payload={"days": step},
        )
        count += 1
    return count


def level_choices() -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in Level.choices]
