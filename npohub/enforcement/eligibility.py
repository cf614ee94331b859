"""Eligibility checks the enforcement app registers with credit (rule 40 and local practice).

An organisation is barred from ratings, awards, purchase, venture rounds and projects while it
has a penalty decided within the last year, a penalty not yet carried out, or an open case
(under investigation). Each reason has its own stable code.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from npohub.core.templatetags.npohub import cn_date
from npohub.credit.registry import Reason
from npohub.orgs.models import Organization

from .models import PenaltyCase
from .policy import policy_for
from .workflows import CASE_NOT_CARRIED_OUT, CASE_OPEN, PS, case_state_label

PURPOSES = ("rating", "star_rating", "award", "purchase", "venture", "project")


def penalty_reasons(org: Organization, purpose: str, on: dt.date) -> list[Reason]:
    """Penalised in the last year (decided, not dropped), or a decided penalty not carried out."""
    lookback = int(policy_for(org.address_code)["penalised_lookback_days"])
    reasons: list[Reason] = []
    cases = (
        PenaltyCase.objects.filter(organization_id=org.pk, decided_on__isnull=False)
        .exclude(state=PS.DROPPED)
        .filter(decided_on__lte=on)
        .order_by("-decided_on")
    )
    for case in cases:
        if case.state in CASE_NOT_CARRIED_OUT:
            reasons.append(
                Reason(
                    code="enforcement.penalty_not_carried_out",
                    message=_("有尚未执行完毕的行政处罚（%(number)s）")
                    % {"number": case.decision_number or case.number},
                    source="enforcement",
                    ref=case.number,
                )
            )
        if case.decided_on and (on - case.decided_on).days < lookback:
            reasons.append(
                Reason(
                    code="enforcement.penalised_last_year",
                    message=_("近一年内受到行政处罚（%(number)s，%(date)s）")
                    % {
                        "number": case.decision_number or case.number,
                        "date": cn_date(case.decided_on),
                    },
                    source="enforcement",
                    ref=case.number,
                )
            )
    return reasons


def investigation_reasons(org: Organization, purpose: str, on: dt.date) -> list[Reason]:
    """An open case (filed, investigating, notified, hearing): under investigation."""
    return [
        Reason(
            code="enforcement.under_investigation",
            message=_("正在被立案调查（%(number)s，%(state)s）")
            % {"number": case.number, "state": case_state_label(case.state)},
            source="enforcement",
            ref=case.number,
        )
        for case in PenaltyCase.objects.filter(
            organization_id=org.pk, state__in=CASE_OPEN
        ).order_by("created_at")
    ]
