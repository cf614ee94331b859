"""Grades: award, tracking, downgrade, lapse, reminders (rules 42–43)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.credit.eligibility import is_eligible
from npohub.credit.policy import add_years
from npohub.notifications.services import notify
from npohub.orgs.scope import organization_accounts

from ..models import Application, ApplicationState, Grade, GradeState, Level, Round
from ..permissions import can_manage_grade
from ..policy import LEVELS, policy_for
from .common import PURPOSE, RatingError

# ---------------------------------------------------------------------------------------------
# Grades: award, tracking, downgrade, lapse, reminders


def _end_current(org_id: int, on: dt.date, state: str, reason: str) -> None:
    Grade.objects.filter(organization_id=org_id, state=GradeState.VALID).update(
        state=state, ended_on=on, reason=reason[:300]
    )


def _award(round: Round, app: Application, today: dt.date, serial: int) -> Grade:
    _end_current(app.organization_id, today, GradeState.EXPIRED, str(_("被新一轮评估等级取代")))
    grade = Grade.objects.create(
        organization=app.organization,
        application=app,
        level=app.level,
        total=app.final_total,
        awarded_on=today,
        valid_until=add_years(today, round.validity_years) - dt.timedelta(days=1),
        certificate_number=f"PG{round.year}{round.region.prefix}{serial:04d}",
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


def _downgrade(
    actor: User | None, grade: Grade, on: dt.date, reason: str, code: str, ref: str
) -> Grade | None:
    days = int(policy_for(grade.organization.address_code)["return_days"])
    index = LEVELS.index(grade.level)
    lower = LEVELS[index + 1] if index + 1 < len(LEVELS) else ""
    grade.state = GradeState.DOWNGRADED if lower else GradeState.CANCELLED
    grade.ended_on = on
    grade.return_due_on = on + dt.timedelta(days=days)
    grade.trigger_code, grade.trigger_ref, grade.reason = code[:64], ref[:100], reason[:300]
    grade.save(
        update_fields=[
            "state",
            "ended_on",
            "return_due_on",
            "trigger_code",
            "trigger_ref",
            "reason",
            "updated_at",
        ]
    )
    new = None
    if lower:
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
    audit_record(
        actor=actor,
        kind="ratings.grade_downgraded",
        target=grade,
        organization_id=grade.organization_id,
        region_code=grade.organization.address_code,
        payload={
            "from": grade.level,
            "to": lower,
            "trigger": code,
            "ref": ref,
            "return_due_on": grade.return_due_on.isoformat(),
        },
    )
    notify(
        recipients=organization_accounts(grade.organization_id),
        kind="ratings.grade_changed",
        title=str(
            _("评估等级由%(old)s降为%(new)s，请于%(date)s前交回原证书和牌匾")
            % {"old": grade.level, "new": lower or _("无等级"), "date": grade.return_due_on}
        ),
        body=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return new


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
    with transaction.atomic():
        return _downgrade(actor, grade, on, reason, "manual", "")


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
        for grade in Grade.objects.filter(
            state=GradeState.VALID, valid_until__lt=on
        ).select_related("organization"):
            grade.state = GradeState.EXPIRED
            grade.ended_on = grade.valid_until + dt.timedelta(days=1)
            grade.reason = str(_("有效期届满"))
            grade.save(update_fields=["state", "ended_on", "reason", "updated_at"])
            audit_record(
                actor=actor,
                kind="ratings.grade_lapsed",
                target=grade,
                organization_id=grade.organization_id,
                region_code=grade.organization.address_code,
                payload={"valid_until": grade.valid_until.isoformat()},
            )
            result.lapsed += 1
        result.downgraded = _review_downgrades(on, actor)
        result.reminded = _send_reminders(on, actor)
    return result


def _review_downgrades(on: dt.date, actor: User | None) -> int:
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
            _downgrade(actor, grade, on, str(reason.message), reason.code, ref)
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
                % {"level": grade.level, "date": grade.valid_until.isoformat()}
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
