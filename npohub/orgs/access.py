"""Who sees which organisation one by one: the only writers of ``OrganizationAccess``.

Every grant, end of a grant and recomputation (hubs' delegated member access) goes through these
services, each audited, so the question "since when, and on whose say, did this account see that
organisation" has one answer. No other app writes ``OrganizationAccess`` or changes a user's role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.core.audit import OnBehalfOf, audit_record

from .models import AccessReason, Organization, OrganizationAccess

ONE_DAY = dt.timedelta(days=1)
Window = tuple[dt.date | None, dt.date | None]


@transaction.atomic
def access_grant(
    *,
    actor: Any,
    user: Any,
    organization: Organization,
    reason: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    can_edit: bool = False,
    on_behalf_of: OnBehalfOf | None = None,
) -> tuple[OrganizationAccess, bool]:
    """Grant ``organization`` to ``user`` for ``reason`` (or reopen an ended grant).

    Returns the grant and whether it was opened now (False: it was already open).
    """
    grant, created = OrganizationAccess.objects.select_for_update().get_or_create(
        user=user,
        organization=organization,
        reason=reason,
        defaults={"valid_from": valid_from, "valid_until": valid_until, "can_edit": can_edit},
    )
    today = timezone.localdate()
    if not created:
        if grant.valid_until is None or grant.valid_until >= today:
            return grant, False
        grant.valid_from, grant.valid_until, grant.can_edit = valid_from, valid_until, can_edit
        grant.save(update_fields=["valid_from", "valid_until", "can_edit"])
    audit_record(
        actor=actor,
        kind="orgs.access_granted",
        target=organization,
        payload={
            "user": user.pk,
            "username": user.get_username(),
            "reason": reason,
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
        on_behalf_of=on_behalf_of,
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return grant, True


@transaction.atomic
def access_end(
    *,
    actor: Any,
    user: Any,
    organization: Organization,
    reason: str,
    last_day: dt.date | None = None,
    on_behalf_of: OnBehalfOf | None = None,
) -> OrganizationAccess | None:
    """End the open grant on ``last_day`` (yesterday by default); None when none is open."""
    today = timezone.localdate()
    last = last_day or today - ONE_DAY
    grant = (
        OrganizationAccess.objects.select_for_update()
        .filter(user=user, organization=organization, reason=reason)
        .first()
    )
    if grant is None or (grant.valid_until is not None and grant.valid_until < today):
        return None
    grant.valid_until = last
    if grant.valid_from is not None and grant.valid_from > last:
        grant.valid_from = last
    grant.save(update_fields=["valid_from", "valid_until"])
    audit_record(
        actor=actor,
        kind="orgs.access_ended",
        target=organization,
        payload={
            "user": user.pk,
            "username": user.get_username(),
            "reason": reason,
            "valid_until": last.isoformat(),
        },
        on_behalf_of=on_behalf_of,
        organization_id=organization.pk,
        region_code=organization.address_code,
    )
    return grant


@transaction.atomic
def organization_account_grant(
    *, actor: Any, user: Any, organization: Organization, on_behalf_of: OnBehalfOf | None = None
) -> OrganizationAccess:
    """Make ``user`` an account of ``organization`` (OWN grant, may edit its record).

    A resident's account becomes an organisation account (role ``org_user``), recorded as its
    own audited change; other roles keep theirs.
    """
    grant, _opened = access_grant(
        actor=actor,
        user=user,
        organization=organization,
        reason=AccessReason.OWN,
        can_edit=True,
        on_behalf_of=on_behalf_of,
    )
    if user.role == Role.RESIDENT:
        user.role = Role.ORG_USER
        user.save(update_fields=["role"])
        audit_record(
            actor=actor,
            kind="accounts.role_changed",
            target=user,
            payload={
                "from": Role.RESIDENT,
                "to": Role.ORG_USER,
                "because": "organization_account",
                "organization": organization.pk,
            },
            organization_id=organization.pk,
            region_code=organization.address_code,
        )
    return grant


@transaction.atomic
def access_sync(
    *,
    reason: str,
    user_ids: Iterable[int],
    desired: Mapping[tuple[int, int], Window],
    universe: Iterable[tuple[int, int]],
    actor: Any = None,
    cause: str = "",
) -> dict[str, int]:
    """Make the ``reason`` grants of ``user_ids`` equal ``desired`` ((user, org) → window).

    Grants in ``universe`` that are no longer desired are deleted (their history stays in the
    audit trail); grants outside it are left alone. One audit event records the counts.
    """
    ids = set(user_ids)
    existing = {
        (g.user_id, g.organization_id): g
        for g in OrganizationAccess.objects.filter(user_id__in=ids, reason=reason)
    }
    create, update = [], []
    for key, (start, end) in desired.items():
        grant = existing.pop(key, None)
        if grant is None:
            create.append(
                OrganizationAccess(
                    user_id=key[0],
                    organization_id=key[1],
                    reason=reason,
                    valid_from=start,
                    valid_until=end,
                )
            )
        elif (grant.valid_from, grant.valid_until) != (start, end):
            grant.valid_from, grant.valid_until = start, end
            update.append(grant)
    if create:
        OrganizationAccess.objects.bulk_create(create, batch_size=1000)
    if update:
        OrganizationAccess.objects.bulk_update(
            update, ["valid_from", "valid_until"], batch_size=1000
        )
    in_universe = set(universe)
    stale = [g.pk for key, g in existing.items() if key in in_universe]
    if stale:
        OrganizationAccess.objects.filter(pk__in=stale).delete()
    counts = {"created": len(create), "updated": len(update), "deleted": len(stale)}
    if any(counts.values()):
        from npohub.accounts.models import User

        first = User.objects.filter(pk__in=ids).order_by("pk").first()
        if first is not None:
            audit_record(
                actor=actor,
                kind="orgs.access_synced",
                target=first,
                payload={"reason": reason, "users": sorted(ids)[:200], "cause": cause, **counts},
            )
    return counts
