"""Test helpers of the enforcement app (built through the services where it matters)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from npohub.enforcement import services
from npohub.enforcement.models import Complaint, PenaltyCase
from npohub.orgs.models import Organization
from npohub.registration.services import certificate_issue

IP = "203.0.113.7"


def complaint(org: Organization | None = None, *, ip: str = IP, **extra: Any) -> Complaint:
    services.throttle_reset(ip)
    values: dict[str, Any] = {
        "contact": "13800000000",
        "category": "fees",
        "description": "该协会向会员强制摊派费用，且不开具票据。",
        "organization": org,
        "organization_text": "" if org is not None else "某某协会",
    }
    values.update(extra)
    made = services.complaint_submit(actor=None, client_ip=ip, **values)
    services.throttle_reset(ip)
    return made


def history(obj: Complaint | PenaltyCase, **filters: Any) -> Any:
    """The complaint's or case's history rows in the one history (core.WorkflowEvent)."""
    from npohub.core.models import WorkflowEvent

    key = "enforcement.complaint" if isinstance(obj, Complaint) else "enforcement.case"
    return WorkflowEvent.objects.filter(workflow=key, object_id=obj.pk, **filters).order_by(
        "occurred_at", "id"
    )


def file_report(org: Organization, year: int, user: Any) -> Any:
    from npohub.supervision.models import AnnualReport

    return AnnualReport.objects.create(
        organization=org,
        year=year,
        org_kind=org.kind,
        address_code=org.address_code,
        bureau_deadline=dt.date(year + 1, 5, 31),
        bureau_received_on=dt.date(year + 1, 5, 1),
        created_by=user,
    )


def certificate(org: Organization, on: dt.date = dt.date(2020, 5, 1)) -> Any:
    return certificate_issue(org=org, app=None, today=on)


def case_ready_to_decide(
    actor: Any,
    org: Organization,
    sanctions: list[dict[str, Any]],
    *,
    notified_on: dt.date,
) -> PenaltyCase:
    """A case filed, investigated, notified on ``notified_on`` with the given sanctions."""
    case = services.case_open(actor=actor, organization=org, title="违规收费", today=notified_on)
    services.case_transition(actor=actor, case=case, transition="investigate", today=notified_on)
    for values in sanctions:
        services.sanction_add(actor=actor, case=case, today=notified_on, **values)
    services.case_transition(actor=actor, case=case, transition="notify", today=notified_on)
    case.refresh_from_db()
    return case


def decided(
    actor: Any, org: Organization, sanctions: list[dict[str, Any]], *, on: dt.date
) -> PenaltyCase:
    case = case_ready_to_decide(actor, org, sanctions, notified_on=on - dt.timedelta(days=10))
    return services.case_transition(actor=actor, case=case, transition="decide", today=on)


FINE = {
    "kind": "fine",
    "amount": Decimal("30000"),
    "fine_basis": "turnover",
    "basis_amount": Decimal("20000"),
}
