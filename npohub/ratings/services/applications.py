"""Applications and eligibility (rules 39–40)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import Conflict, ValidationFailed
from npohub.core.permissions import require
from npohub.core.templatetags.npohub import cn_date
from npohub.credit.eligibility import is_eligible
from npohub.credit.policy import add_years
from npohub.credit.registry import Reason
from npohub.orgs.models import Organization

from .. import selectors
from ..models import Application, ApplicationState, Round
from ..permissions import can_apply, can_manage_round
from ..policy import policy_for
from ..workflows import RS
from .common import PURPOSE, RATED_KINDS, RatingError

# ---------------------------------------------------------------------------------------------
# Applications and eligibility (rules 39–40)


def seniority_reasons(org: Any, purpose: str, on: dt.date) -> list[Reason]:
    """Rule 39 (registered in apps.ready for "rating"): a registered legal person, registered
    two full years, and not holding a grade still valid (unless promotion is allowed)."""
    if org.kind not in RATED_KINDS:
        return [
            Reason(
                code="ratings.not_legal_person",
                message=_("备案的社区社会组织不参加等级评估"),
                source="ratings",
            )
        ]
    policy = policy_for(org.address_code)
    reasons: list[Reason] = []
    years = int(policy["seniority_years"])
    if org.registration_date is None or add_years(org.registration_date, years) > on:
        reasons.append(
            Reason(
                code="ratings.registered_under_two_years",
                message=_("登记未满%(years)s个整年（登记日期%(date)s）")
                % {
                    "years": years,
                    "date": cn_date(org.registration_date) if org.registration_date else "—",
                },
                source="ratings",
            )
        )
    grade = selectors.grade_on(org, on)
    if grade is not None:
        promotion = policy.get("promotion_after_years")
        if not promotion or add_years(grade.awarded_on, int(promotion)) > on:
            reasons.append(
                Reason(
                    code="ratings.grade_still_valid",
                    message=_("已获评%(level)s，有效期至%(until)s，尚未到期")
                    % {"level": grade.level, "until": cn_date(grade.valid_until)},
                    source="ratings",
                    ref=f"grade:{grade.pk}",
                )
            )
    return reasons


def eligibility_of(org: Organization, on: dt.date) -> list[dict[str, str]]:
    """Every reason (from every app) that bars the organisation from a rating on the date."""
    result = is_eligible(org, PURPOSE, on=on)
    return [
        {"code": r.code, "message": str(r.message), "source": r.source, "ref": r.ref}
        for r in result.reasons
    ]


def _apply_eligibility(app: Application, today: dt.date) -> None:
    reasons = eligibility_of(app.organization, today)
    app.eligibility_reasons = reasons
    app.eligibility_checked_on = today
    app.state = ApplicationState.INELIGIBLE if reasons else ApplicationState.ELIGIBLE
    app.save(update_fields=["eligibility_reasons", "eligibility_checked_on", "state", "updated_at"])


def application_submit(
    *,
    actor: User,
    round: Round,
    organization: Organization,
    note: str = "",
    today: dt.date | None = None,
) -> Application:
    """The organisation (or the bureau for it) applies while applications are open."""
    today = today or timezone.localdate()
    require(can_apply(actor, round, organization))
    if organization.kind not in round.kinds:
        raise ValidationFailed(
            _("本轮评估不包括%(kind)s") % {"kind": organization.get_kind_display()},
            details={"organization": _("无效")},
        )
    if round.applications_until and today > round.applications_until:
        raise RatingError(
            _("申报已于%(date)s截止") % {"date": cn_date(round.applications_until)},
            code="ratings.applications_closed",
        )
    if Application.objects.filter(round=round, organization=organization).exists():
        raise Conflict(
            _("%(org)s已申报本轮评估") % {"org": organization.name},
            details={"organization": _("已存在")},
        )
    with transaction.atomic():
        app = Application.objects.create(
            round=round,
            organization=organization,
            applied_on=today,
            note=(note or "").strip(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            kind="ratings.application_submitted",
            target=app,
            organization_id=organization.pk,
            region_code=organization.address_code,
            payload={"round": round.pk},
        )
    return app


def application_check(
    *, actor: User, application: Application, today: dt.date | None = None
) -> Application:
    """Re-run the eligibility check of one application (before scoring starts)."""
    today = today or timezone.localdate()
    require(can_manage_round(actor, application.round))
    if application.round.state not in (RS.APPLICATIONS, RS.ELIGIBILITY):
        raise RatingError(_("评分开始后不再审查资格"), code="ratings.check_closed")
    if application.assignments.exists():
        raise RatingError(_("已组建评审组的申报不再重新审查"), code="ratings.check_closed")
    with transaction.atomic():
        _apply_eligibility(application, today)
        audit_record(
            actor=actor,
            kind="ratings.eligibility_checked",
            target=application,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"reasons": [r["code"] for r in application.eligibility_reasons]},
        )
    return application
