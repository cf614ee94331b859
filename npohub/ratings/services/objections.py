"""Objections to published results (PG39 art. 20–23)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require

from ..models import Application, Objection, ObjectionState
from ..permissions import can_decide_objection, can_file_objection
from ..policy import level_for, policy_for
from .common import RatingError

# ---------------------------------------------------------------------------------------------
# Objections (PG39 art. 20–23)


def objection_file(
    *, actor: User, application: Application, reasons: str, today: dt.date | None = None
) -> Objection:
    """The organisation objects in writing during the comment period."""
    today = today or timezone.localdate()
    require(can_file_objection(actor, application))
    round = application.round
    if round.comment_until and today > round.comment_until:
        raise RatingError(
            _("公示期已于%(date)s结束") % {"date": round.comment_until.isoformat()},
            code="ratings.comment_closed",
        )
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationFailed(_("请写明异议理由"), details={"reasons": _("必填")})
    days = int(policy_for(round.region.code)["objection_decision_days"])
    with transaction.atomic():
        objection = Objection.objects.create(
            application=application,
            filed_by=actor,
            filed_on=today,
            reasons=reasons,
            due_on=today + dt.timedelta(days=days),
        )
        audit_record(
            actor=actor,
            kind="ratings.objection_filed",
            target=objection,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={"due_on": objection.due_on.isoformat()},
        )
    return objection


def objection_decide(
    *,
    actor: User,
    objection: Objection,
    upheld: bool,
    decision: str,
    votes_for: int,
    votes_against: int,
    new_total: Any = None,
    today: dt.date | None = None,
) -> Objection:
    """A written review decision taken by named vote: upheld only with a majority for it; an
    upheld objection may set a new total (and so a new level)."""
    today = today or timezone.localdate()
    require(can_decide_objection(actor, objection))
    decision = (decision or "").strip()
    errors: dict[str, str] = {}
    if not decision:
        errors["decision"] = _("请填写书面复核决定")
    if votes_for < 0 or votes_against < 0 or votes_for + votes_against == 0:
        errors["votes_for"] = _("请填写表决票数")
    elif upheld and votes_for <= votes_against:
        errors["votes_for"] = _("赞成票未过半数，异议不能认定为成立")
    elif not upheld and votes_for > votes_against:
        errors["votes_for"] = _("赞成票已过半数，异议应认定为成立")
    application = objection.application
    value: Decimal | None = None
    if upheld and new_total not in (None, ""):
        try:
            value = Decimal(str(new_total)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            errors["new_total"] = _("复核后得分不是数字")
        else:
            if value < 0 or value > 1000:
                errors["new_total"] = _("复核后得分应在0至1000分之间")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)
    with transaction.atomic():
        objection.state = ObjectionState.UPHELD if upheld else ObjectionState.REJECTED
        objection.decision = decision
        objection.votes_for, objection.votes_against = votes_for, votes_against
        objection.decided_by = actor
        objection.decided_on = today
        if value is not None:
            application.final_total = value
            application.level = level_for(value, application.round.thresholds)
            application.save(update_fields=["final_total", "level", "updated_at"])
            objection.new_level = application.level
        objection.save(
            update_fields=[
                "state",
                "decision",
                "votes_for",
                "votes_against",
                "decided_by",
                "decided_on",
                "new_level",
            ]
        )
        audit_record(
            actor=actor,
            kind="ratings.objection_decided",
            target=objection,
            organization_id=application.organization_id,
            region_code=application.organization.address_code,
            payload={
                "upheld": upheld,
                "votes": [votes_for, votes_against],
                "level": application.level,
            },
        )
    return objection
