"""Delegated supervision kept as data: the ``hub_member`` grants of each hub's staff, recomputed
from the rosters, the recognitions and the staff's own grants (written through ``orgs.access``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from npohub.accounts.models import Role, User
from npohub.orgs.access import access_sync
from npohub.orgs.models import (
    AccessReason,
    OrganizationAccess,
)

from ..models import (
    Hub,
    HubMembership,
    HubStatus,
)
from .common import ONE_DAY


def _min_date(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The earlier end date; None means open-ended."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def sync_hub_access(user_ids: Iterable[int]) -> dict[str, int]:
    """Recompute the ``hub_member`` grants of these users from the rosters, recognitions and
    their OWN grants over hub organisations: one row per (user, member) covering the union of
    the periods in which the user was staff of a hub the organisation belonged to, cut at
    revocations (a revoked hub's grants end the day before revocation). A pair whose periods
    are all empty loses its row; grants for organisations never on the user's hubs' rosters
    are not touched. Returns counts of created/updated/deleted rows."""
    ids = set(user_ids)
    if not ids:
        return {"created": 0, "updated": 0, "deleted": 0}
    own = list(
        OrganizationAccess.objects.filter(
            user_id__in=ids, reason=AccessReason.OWN, user__role=Role.HUB_STAFF
        ).values_list("user_id", "organization_id", "valid_from", "valid_until")
    )
    hubs = list(
        Hub.objects.filter(organization_id__in={o for _u, o, _f, _t in own}).values_list(
            "pk", "organization_id", "valid_from", "valid_until", "status", "revoked_on"
        )
    )
    members: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
    for hub_id, org_id, joined, left in HubMembership.objects.filter(
        hub_id__in=[h[0] for h in hubs]
    ).values_list("hub_id", "organization_id", "joined_on", "left_on"):
        members.setdefault(hub_id, []).append((org_id, joined, left))
    hubs_by_org: dict[int, list[tuple[Any, ...]]] = {}
    for hub in hubs:
        hubs_by_org.setdefault(hub[1], []).append(hub)

    desired: dict[tuple[int, int], tuple[dt.date, dt.date | None]] = {}
    # Pairs the rosters speak for; grants outside it (made by hand or by other apps) are left.
    universe: set[tuple[int, int]] = set()
    for user_id, hub_org_id, grant_from, grant_until in own:
        for hub_id, _org, hub_from, hub_until, status, revoked_on in hubs_by_org.get(
            hub_org_id, []
        ):
            hub_end = hub_until
            if status == HubStatus.REVOKED:
                hub_end = _min_date(hub_end, (revoked_on or timezone.localdate()) - ONE_DAY)
            for member_id, joined, left in members.get(hub_id, []):
                if member_id == hub_org_id:
                    continue
                universe.add((user_id, member_id))
                start = max(d for d in (grant_from, hub_from, joined) if d is not None)
                end = _min_date(_min_date(grant_until, hub_end), left - ONE_DAY if left else None)
                if end is not None and end < start:
                    continue
                key = (user_id, member_id)
                if key in desired:
                    old_start, old_end = desired[key]
                    start = min(start, old_start)
                    end = None if old_end is None or end is None else max(end, old_end)
                desired[key] = (start, end)

    return access_sync(
        reason=AccessReason.HUB_MEMBER,
        user_ids=ids,
        desired=desired,
        universe=universe,
        cause="hub_rosters",
    )


def staff_ids_of(hub: Hub) -> set[int]:
    return set(
        OrganizationAccess.objects.filter(
            organization_id=hub.organization_id,
            reason=AccessReason.OWN,
            user__role=Role.HUB_STAFF,
        ).values_list("user_id", flat=True)
    )


def hub_access_sync(*, hub: Hub | None = None, users: Iterable[User] = ()) -> dict[str, int]:
    """Recompute delegated access for the staff of ``hub`` and/or the given users.

    Call it after creating hub-staff accounts outside :func:`hub_staff_add` (the accounts app,
    imports), or from the ``sync_hub_access`` command after restoring data.
    """
    ids = {u.pk for u in users}
    if hub is not None:
        ids |= staff_ids_of(hub)
    with transaction.atomic():
        return sync_hub_access(ids)
