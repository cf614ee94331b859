"""Registration certificates: issue the next version, void, and seal / unseal the current one
under a suspension order (called by the enforcement app, rule 44).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from npohub.core.audit import audit_record
from npohub.orgs.models import (
    Organization,
)

from ..models import (
    Application,
    Certificate,
)


def certificate_issue(*, org: Organization, app: Application | None, today: dt.date) -> Certificate:
    """Issue the next version of the organisation's certificate; voids the current one."""
    current = Certificate.objects.filter(organization=org).filter(voided_on__isnull=True)
    current.update(voided_on=today, void_reason=_("换发新证"))
    version = (
        Certificate.objects.filter(organization=org).aggregate(m=Max("version"))["m"] or 0
    ) + 1
    person = org.legal_representative
    content = {
        "name": org.name,
        "uscc": org.uscc or "",
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),
        "address": org.address,
        "legal_representative": person.name if person else "",
        "registered_funds": str(org.registered_funds or ""),
        "business_scope": org.business_scope,
        "activity_area": org.activity_area,
        "supervisory_unit": org.supervisory_unit,
        "registration_date": org.registration_date.isoformat() if org.registration_date else "",
        "authority": org.authority_region.name if org.authority_region else "",
    }
    return Certificate.objects.create(
        organization=org,
        number=f"{org.uscc}-{version:02d}",
        version=version,
        token=secrets.token_urlsafe(18)[:24],
        issued_on=today,
        content=content,
        application=app,
    )


def certificate_void(*, org: Organization, today: dt.date, reason: str) -> int:
    return (
        Certificate.objects.filter(organization=org)
        .filter(voided_on__isnull=True)
        .update(voided_on=today, void_reason=reason)
    )


def _certificate_seal_set(
    *, actor: Any, organization: Organization, on: dt.date, reason: str, sealed: bool
) -> int:
    """Set or lift the seal on the organisation's current certificate; audit when it changed."""
    updated = (
        Certificate.objects.filter(organization=organization, voided_on__isnull=True)
        .filter(sealed_on__isnull=sealed)
        .update(sealed_on=on if sealed else None)
    )
    if updated:
        audit_record(
            actor=actor,
            kind="registration.certificate_sealed"
            if sealed
            else "registration.certificate_unsealed",
            target=organization,
            payload={"on": on.isoformat(), "reason": reason},
            organization_id=organization.pk,
            region_code=organization.address_code,
        )
    return updated


@transaction.atomic
def certificate_seal(*, actor: Any, organization: Organization, on: dt.date, reason: str) -> int:
    """Seal (封存) the organisation's current certificate while it must suspend its activities."""
    return _certificate_seal_set(
        actor=actor, organization=organization, on=on, reason=reason, sealed=True
    )


@transaction.atomic
def certificate_unseal(*, actor: Any, organization: Organization, on: dt.date, reason: str) -> int:
    """Lift the seal when the suspension ends (the certificate is valid again)."""
    return _certificate_seal_set(
        actor=actor, organization=organization, on=on, reason=reason, sealed=False
    )
