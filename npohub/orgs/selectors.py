"""Reads on the registry. Every function starts from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from npohub.accounts.models import GRANT_ROLES, REGION_ROLES, Viewer
from npohub.core.errors import NotFound
from npohub.regions.models import Region
from npohub.regions.selectors import region_get

from .models import FieldChange, Organization
from .scope import scope_of
from .search import PINYIN_ORDER, apply_search, order_by_relevance

# "name" is pinyin order (丁 < 三 < 万; the stored ``name_pinyin`` key, indexed), and with a
# search the best matches first (``search.order_by_relevance``).
ORDERINGS = {
    "name": PINYIN_ORDER,
    "-name": ("-name_pinyin", "-name", "-id"),
    "registration_date": ("registration_date", "id"),
    "-registration_date": ("-registration_date", "-id"),
    "uscc": ("uscc", "id"),
    "updated": ("-updated_at", "-id"),
}


def granted_organization_ids(
    user: Viewer, *, on: dt.date | None = None, reason: str = ""
) -> QuerySet[Any]:
    """Ids of the organisations granted to the user (valid on ``on``) as a subquery: the scope's
    ``granted_ids`` (kept for the modules that still import it from here)."""
    return scope_of(user).granted_ids(reason=reason, on=on)


def organization_visible_to(user: Viewer | None) -> QuerySet[Organization]:
    """Every organisation the user may see (empty for anonymous users and residents): the
    scope's ``organizations_q``."""
    scope = scope_of(user)
    if not scope.signed_in:
        return Organization.objects.none()
    if not scope.everything and scope.role not in REGION_ROLES | GRANT_ROLES:
        return Organization.objects.none()
    q = scope.organizations_q()
    qs = Organization.objects.all()
    return qs if q is None else qs.filter(q)


@dataclass
class OrganizationFilters:
    region_prefix: str = ""
    kind: str = ""
    category: str = ""
    status: str = ""
    management_level: str = ""
    registered_year: int | None = None
    search: str = ""
    order: str = "name"
    extra: dict[str, Any] = field(default_factory=dict)


def apply_filters(
    qs: QuerySet[Organization], filters: OrganizationFilters
) -> QuerySet[Organization]:
    if filters.region_prefix:
        qs = qs.filter(address_code__startswith=filters.region_prefix)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.management_level:
        qs = qs.filter(management_level=filters.management_level)
    if filters.registered_year:
        start = dt.date(filters.registered_year, 1, 1)
        qs = qs.filter(
            registration_date__gte=start, registration_date__lt=start.replace(year=start.year + 1)
        )
    order = filters.order if filters.order in ORDERINGS else "name"
    if filters.search:
        qs = apply_search(qs, filters.search)
        if order == "name":
            # Exact and prefix matches, then registered organisations, then pinyin order.
            return order_by_relevance(qs, filters.search)
    return qs.order_by(*ORDERINGS[order])


def organization_list_for(
    user: Viewer, filters: OrganizationFilters | None = None
) -> QuerySet[Organization]:
    """The filtered, ordered organisations the user may see, with what list pages show."""
    qs = organization_visible_to(user).select_related("category", "community")
    return apply_filters(qs, filters or OrganizationFilters())


def region_filter_root(user: Viewer) -> Region | None:
    """Where a region filter starts and which it never leaves: the region of a region role
    (a community worker's community, a street's street, a bureau's district or city); None
    (the whole country) for the superuser and for roles whose scope is not a region."""
    scope = scope_of(user)
    if scope.everything or not scope.has_region:
        return None
    own = getattr(user, "region", None)  # the page heading reads it too: one query for both
    if isinstance(own, Region) and own.prefix == scope.prefix:
        return own
    try:
        return region_get(scope.prefix.ljust(12, "0"))
    except NotFound:
        return None


def organization_in_scope(user: Viewer, org: Organization) -> bool:
    """The same rule as ``organization_visible_to``, answered for one fetched organisation."""
    return scope_of(user).sees_organization(org)


def organization_get_for(user: Viewer, pk: int) -> Organization:
    """One organisation the user may see, or NotFound (missing and forbidden look the same).

    Fetched by primary key and checked against the scope in Python: the same rule as the
    list's scope filter, without compiling that filter for a single row.
    """
    try:
        org = Organization.objects.select_related(
            "category", "community", "authority_region", "legal_representative", "parent"
        ).get(pk=pk)
    except Organization.DoesNotExist:
        org = None
    if org is None or not organization_in_scope(user, org):
        raise NotFound(_("组织不存在"))
    return org


def public_organization_list(filters: OrganizationFilters | None = None) -> QuerySet[Organization]:
    """The public register: every organisation, public fields only (the caller picks fields)."""
    qs = Organization.objects.select_related("category", "community")
    return apply_filters(qs, filters or OrganizationFilters())


def public_organization_get(pk: int) -> Organization:
    org = (
        Organization.objects.select_related("category", "community", "authority_region")
        .filter(pk=pk)
        .first()
    )
    if org is None:
        raise NotFound(_("组织不存在"))
    return org


def organization_history(org: Organization) -> QuerySet[FieldChange]:
    """Field-level changes of one organisation, newest first."""
    return org.field_changes.select_related("audit_event").order_by("-changed_at", "-id")


def organization_as_of(org: Organization, when: dt.datetime) -> dict[str, Any] | None:
    """The organisation's recorded fields as they stood at ``when``; None if it did not exist yet.

    Starts from today's values and undoes, newest first, every change made after ``when``.
    """
    if org.created_at > when:
        return None
    from .services import TRACKED_FIELDS, organization_snapshot

    values = organization_snapshot(org)
    later = org.field_changes.filter(changed_at__gt=when).order_by("-changed_at", "-id")
    for change in later:
        if change.field in TRACKED_FIELDS:
            values[change.field] = change.old_value
    return values
