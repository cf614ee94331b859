"""Reads on credit information. Staff reads start from ``organization_visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.core.errors import NotFound
from npohub.core.templatetags.npohub import cn_date
from npohub.orgs.models import CLOSED_STATUSES, Organization
from npohub.orgs.search import apply_search
from npohub.orgs.selectors import organization_visible_to

from .models import (
    BarredPerson,
    ContactAttempt,
    CreditFact,
    CreditList,
    CreditRequest,
    CreditRule,
    Listing,
)
from .permissions import Viewer


def open_on_q(on: dt.date, prefix: str = "") -> Q:
    """Listings in force on ``on`` (listed_on inclusive, removed_on exclusive)."""
    return Q(**{f"{prefix}listed_on__lte": on}) & (
        Q(**{f"{prefix}removed_on__isnull": True}) | Q(**{f"{prefix}removed_on__gt": on})
    )


def on_list_now_q() -> Q:
    """The one definition of "on a credit list now": the listing has not been removed and, on
    the 活动异常名录, the organisation still exists (a deregistered or revoked organisation is
    no longer 活动异常; the serious list keeps revoked ones, revocation is why they are on it).
    The public and staff lists' current view and every count of a list (the dashboards'
    活动异常) read it."""
    return Q(removed_on__isnull=True) & ~Q(
        credit_list=CreditList.ABNORMAL, organization__status__in=CLOSED_STATUSES
    )


def on_list_now(credit_list: str, *, region_prefix: str = "") -> QuerySet[Listing]:
    """The listings on ``credit_list`` now, of organisations whose address is under the prefix."""
    qs = Listing.objects.filter(on_list_now_q(), credit_list=credit_list)
    if region_prefix:  # a range of 12-digit codes: an index range on both engines (LIKE is not)
        low, high = region_prefix.ljust(12, "0"), region_prefix.ljust(12, "9")
        qs = qs.filter(organization__address_code__range=(low, high))
    return qs


def listings_as_of(
    org_or_queryset: Organization | QuerySet[Organization], on: dt.date
) -> QuerySet[Listing]:
    """The listings in force on ``on`` for one organisation or a queryset of them."""
    qs = Listing.objects.select_related("rule", "organization").filter(open_on_q(on))
    if isinstance(org_or_queryset, Organization):
        return qs.filter(organization=org_or_queryset).order_by("credit_list", "listed_on")
    return qs.filter(organization__in=org_or_queryset.values("pk")).order_by(
        "organization_id", "credit_list"
    )


@dataclass
class ListingFilters:
    credit_list: str = ""
    region_prefix: str = ""
    kind: str = ""  # organisation kind
    rule: str = ""  # rule code
    listed_from: dt.date | None = None
    listed_until: dt.date | None = None
    search: str = ""
    state: str = "current"  # current | removed | all


def _apply_listing_filters(qs: QuerySet[Listing], f: ListingFilters) -> QuerySet[Listing]:
    if f.credit_list:
        qs = qs.filter(credit_list=f.credit_list)
    if f.region_prefix:
        qs = qs.filter(organization__address_code__startswith=f.region_prefix)
    if f.kind:
        qs = qs.filter(organization__kind=f.kind)
    if f.rule:
        qs = qs.filter(rule__code=f.rule)
    if f.listed_from:
        qs = qs.filter(listed_on__gte=f.listed_from)
    if f.listed_until:
        qs = qs.filter(listed_on__lte=f.listed_until)
    if f.state == "current":
        qs = qs.filter(on_list_now_q())
    elif f.state == "removed":
        qs = qs.filter(removed_on__isnull=False)
    if f.search:
        orgs = apply_search(Organization.objects.all(), f.search)
        qs = qs.filter(organization__in=orgs.values("pk"))
    return qs.order_by("-listed_on", "-id")


def listing_list_for(user: Viewer, filters: ListingFilters | None = None) -> QuerySet[Listing]:
    """Listings of organisations the user may see, filtered, newest first."""
    visible = organization_visible_to(user)
    qs = Listing.objects.select_related("rule", "organization").filter(
        organization__in=visible.values("pk")
    )
    return _apply_listing_filters(qs, filters or ListingFilters())


def public_listing_list(filters: ListingFilters | None = None) -> QuerySet[Listing]:
    """Both lists as published (rule 35): listing and removal dates, reason, legal basis."""
    qs = Listing.objects.select_related("rule", "organization")
    return _apply_listing_filters(qs, filters or ListingFilters())


def credit_file_for(user: Viewer, org_id: int) -> Organization:
    """The organisation whose credit file the user may read, or NotFound."""
    org = organization_visible_to(user).filter(pk=org_id).select_related("authority_region").first()
    if org is None:
        raise NotFound(_("组织不存在"))
    return org


def facts_of(org: Organization) -> QuerySet[CreditFact]:
    return CreditFact.objects.filter(organization=org).select_related("recorded_by")


def listings_of(org: Organization) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(organization=org).select_related("rule").prefetch_related("events")
    )


def requests_of(org: Organization) -> QuerySet[CreditRequest]:
    return CreditRequest.objects.filter(organization=org).select_related("listing", "filed_by")


def request_list_for(user: Viewer, *, state: str = "", kind: str = "") -> QuerySet[CreditRequest]:
    """Objections and repair applications of the organisations the user may see."""
    visible = organization_visible_to(user)
    qs = CreditRequest.objects.select_related("organization", "listing", "filed_by").filter(
        organization__in=visible.values("pk")
    )
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-filed_on", "-id")


def request_get_for(user: Viewer, pk: int) -> CreditRequest:
    found = request_list_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("申请不存在"))
    return found


def listing_get_for(user: Viewer, pk: int) -> Listing:
    visible = organization_visible_to(user)
    found = (
        Listing.objects.select_related("rule", "organization")
        .filter(pk=pk, organization__in=visible.values("pk"))
        .first()
    )
    if found is None:
        raise NotFound(_("名单记录不存在"))
    return found


def fact_get_for(user: Viewer, pk: int) -> CreditFact:
    """One fact of an organisation the user may see, or NotFound (missing and forbidden alike)."""
    visible = organization_visible_to(user)
    found = (
        CreditFact.objects.select_related("organization__authority_region")
        .filter(pk=pk, organization__in=visible.values("pk"))
        .first()
    )
    if found is None:
        raise NotFound(_("信用信息不存在"))
    return found


def late_entries_for(user: Viewer) -> QuerySet[CreditFact]:
    """Rule 28: facts entered later than the time limit, in the user's scope."""
    visible = organization_visible_to(user)
    return (
        CreditFact.objects.filter(is_late_entry=True, organization__in=visible.values("pk"))
        .select_related("organization")
        .order_by("-entered_on", "-id")
    )


def contact_attempts_for(user: Viewer) -> QuerySet[ContactAttempt]:
    visible = organization_visible_to(user)
    return (
        ContactAttempt.objects.filter(organization__in=visible.values("pk"))
        .select_related("organization")
        .order_by("-sent_on", "-id")
    )


def rule_list() -> QuerySet[CreditRule]:
    return CreditRule.objects.order_by("credit_list", "sort_order", "code")


def rule_get(pk: int) -> CreditRule:
    """One listing rule (every bureau reads the same rules), or NotFound."""
    found = CreditRule.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("规则不存在"))
    return found


def barred_person_list(
    *, search: str = "", current_on: dt.date | None = None
) -> QuerySet[BarredPerson]:
    qs = BarredPerson.objects.select_related("decided_by").order_by("-barred_from", "-id")
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(id_number__iexact=search))
    if current_on:
        qs = qs.filter(_barred_on_q(current_on))
    return qs


def barred_person_get(pk: int) -> BarredPerson:
    """One entry of the register of barred persons, or NotFound."""
    found = BarredPerson.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("记录不存在"))
    return found


def _barred_on_q(on: dt.date) -> Q:
    return (
        Q(barred_from__lte=on)
        & (Q(barred_until__isnull=True) | Q(barred_until__gte=on))
        & (Q(lifted_on__isnull=True) | Q(lifted_on__gt=on))
    )


def person_barred_on(id_number: str, on: dt.date) -> BarredPerson | None:
    """The restriction in force for this ID number on ``on``, if any."""
    id_number = (id_number or "").strip().upper()
    if not id_number:
        return None
    return (
        BarredPerson.objects.filter(id_number=id_number)
        .filter(_barred_on_q(on))
        .order_by("barred_from", "id")
        .first()
    )


def barred_person_message(id_number: str, on: dt.date | None = None) -> str | None:
    """The refusal text for ``orgs.services.PERSON_CHECKS`` (None: not barred)."""
    barred = person_barred_on(id_number, on or timezone.localdate())
    if barred is None:
        return None
    until = cn_date(barred.barred_until) if barred.barred_until else _("另行决定")
    return _(
        "该人员被限制担任社会组织负责人（%(reason)s，限制期至%(until)s），不得担任法定代表人或负责人"
    ) % {
        "reason": barred.reason,
        "until": until,
    }
