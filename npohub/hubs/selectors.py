"""Reads on hubs. Every list starts from what the user may see.

``member_ids_for_user`` and ``hubs_of_organization`` are the interface other apps use (ratings,
supervision, party): they answer from the rosters themselves, for any date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import REGION_ROLES, Role, User
from npohub.core.errors import NotFound
from npohub.orgs.models import AccessReason, Organization
from npohub.orgs.scope import Scope, scope_of, valid_grants_for_org
from npohub.regions.models import Level, Region

from .models import (
    PLATFORM_REGION_LEVEL,
    STREET_LISTS,
    Escalation,
    Federation,
    Hub,
    HubMembership,
    HubNotice,
    HubStatus,
    NoticeReceipt,
    Pairing,
    PlatformLevel,
    ServicePlatform,
)

PREFIX_LENGTHS = (2, 4, 6, 9, 12)

# Whoever asks: a signed-in user, or an anonymous visitor (who sees nothing).
Viewer = User | AnonymousUser


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def _ancestor_prefixes(prefix: str) -> list[str]:
    """The prefixes of every region containing ``prefix`` (itself included), plus "" (no region)."""
    return ["", *[prefix[:n] for n in PREFIX_LENGTHS if n <= len(prefix)]]


# --- who is staff of which hub -------------------------------------------------------------------


def staff_hub_ids(user: Viewer, *, on: dt.date | None = None) -> set[int]:
    """Hubs, current on ``on``, whose organisation the hub-staff user holds an OWN grant for."""
    scope = scope_of(user)
    if not scope.signed_in or scope.role != Role.HUB_STAFF:
        return set()
    day = _today(on)
    own = scope.granted_ids(reason=AccessReason.OWN, on=day)
    return set(
        Hub.objects.current(day).filter(organization_id__in=own).values_list("pk", flat=True)
    )


def hub_staff_users(hub: Hub, *, on: dt.date | None = None) -> QuerySet[User]:
    """The hub-staff accounts holding an OWN grant on the hub's organisation valid on ``on``."""
    grants = valid_grants_for_org(hub.organization_id, on=on).values("user_id")
    return User.objects.filter(role=Role.HUB_STAFF, is_active=True, pk__in=grants)


def is_hub_staff(user: Viewer, hub: Hub, *, on: dt.date | None = None) -> bool:
    return hub.pk in staff_hub_ids(user, on=on)


def member_ids_for_user(user: Viewer, *, on: dt.date | None = None) -> set[int]:
    """Ids of the organisations that are current members, on ``on``, of the user's current hubs."""
    day = _today(on)
    hub_ids = staff_hub_ids(user, on=day)
    if not hub_ids:
        return set()
    return set(
        HubMembership.objects.filter(hub_id__in=hub_ids, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .values_list("organization_id", flat=True)
    )


def hubs_of_organization(org: Organization | int, *, on: dt.date | None = None) -> list[Hub]:
    """The current hubs the organisation is a current member of on ``on``."""
    day = _today(on)
    org_id = org if isinstance(org, int) else org.pk
    member_of = (
        HubMembership.objects.filter(organization_id=org_id, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .values("hub_id")
    )
    return list(Hub.objects.current(day).filter(pk__in=member_of).order_by("kind", "name"))


def acting_hub_for(
    user: Viewer, org: Organization | int, *, on: dt.date | None = None
) -> Hub | None:
    """The hub under which this hub-staff user acts for the bureau over ``org`` (None: not a
    member of any of the user's current hubs). Supervision/ratings call this before a
    first-line review and pass the result to ``hubs.services.hub_review_record``."""
    day = _today(on)
    org_id = org if isinstance(org, int) else org.pk
    hub_ids = staff_hub_ids(user, on=day)
    if not hub_ids:
        return None
    membership = (
        HubMembership.objects.select_related("hub")
        .filter(hub_id__in=hub_ids, organization_id=org_id, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .order_by("hub__kind", "hub_id")
        .first()
    )
    return membership.hub if membership is not None else None


def federation_for_street(street_code: str, *, on: dt.date | None = None) -> Federation | None:
    """The street's federation (not dissolved, hub recognition current), if any."""
    day = _today(on)
    return (
        Federation.objects.select_related("hub", "organization")
        .filter(
            street_code=street_code, dissolved_on__isnull=True, hub__in=Hub.objects.current(day)
        )
        .first()
    )


def is_federation_staff_for_street(
    user: Viewer, street_code: str, *, on: dt.date | None = None
) -> bool:
    """A hub-staff user of the street's recognised federation (registration's federation_capacity)."""
    hub_ids = staff_hub_ids(user, on=on)
    if not hub_ids:
        return False
    return Federation.objects.filter(
        street_code=street_code, dissolved_on__isnull=True, hub_id__in=hub_ids
    ).exists()


# --- lists the user may see ----------------------------------------------------------------------


def _is_party_officer(scope: Scope) -> bool:
    return scope.signed_in and not scope.everything and scope.role == Role.PARTY_OFFICER


def party_assigned_ids(user: Viewer) -> QuerySet[Any]:
    """The organisations a party officer is assigned (``party`` grants inside its region)."""
    return scope_of(user).assigned_ids(reason=AccessReason.PARTY)


def hub_visible_to(user: Viewer) -> QuerySet[Hub]:
    """Hubs inside or covering a region user's region; a hub user's own hubs; for a party
    officer (a grant role), the hubs whose organisation it is assigned; everything for the
    superuser."""
    scope = scope_of(user)
    if not scope.signed_in:
        return Hub.objects.none()
    qs = Hub.objects.all()
    if scope.everything:
        return qs
    if _is_party_officer(scope):
        return qs.filter(organization_id__in=party_assigned_ids(user))
    if scope.role not in REGION_ROLES and scope.role != Role.HUB_STAFF:
        return Hub.objects.none()
    q = Q(pk__in=staff_hub_ids(user))
    if scope.has_region:
        prefix = scope.prefix
        q |= Q(scope_prefix__startswith=prefix) & ~Q(scope_prefix="")
        q |= Q(scope_prefix__in=_ancestor_prefixes(prefix))
        q |= Q(organization__address_code__startswith=prefix)
    return qs.filter(q)


@dataclass
class HubFilters:
    kind: str = ""
    status: str = ""
    region_prefix: str = ""
    search: str = ""


def hub_list_for(user: Viewer, filters: HubFilters | None = None) -> QuerySet[Hub]:
    f = filters or HubFilters()
    qs = hub_visible_to(user).select_related("organization", "region", "category")
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.region_prefix:
        qs = qs.filter(scope_prefix__startswith=f.region_prefix)
    if f.search:
        qs = qs.filter(name__icontains=f.search)
    return qs.annotate(
        member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
    ).order_by("kind", "scope_prefix", "name", "id")


def hub_get_for(user: Viewer, pk: int) -> Hub:
    hub = (
        hub_visible_to(user)
        .select_related("organization", "region", "category", "recognised_by", "revoked_by")
        .filter(pk=pk)
        .first()
    )
    if hub is None:
        raise NotFound("枢纽组织不存在")
    return hub


def hub_members(hub: Hub, *, current_only: bool = False) -> QuerySet[HubMembership]:
    # Current members first on both engines (SQLite sorts NULL first, PostgreSQL last).
    qs = hub.memberships.select_related("organization").order_by(
        F("left_on").asc(nulls_first=True), "-joined_on", "organization__name", "id"
    )
    if current_only:
        qs = qs.filter(left_on__isnull=True)
    return qs


def membership_history(org: Organization) -> QuerySet[HubMembership]:
    """Every stay of the organisation in any hub, newest first."""
    return (
        HubMembership.objects.filter(organization_id=org.pk)
        .select_related("hub")
        .order_by("-joined_on", "-id")
    )


def hub_notices(hub: Hub) -> QuerySet[HubNotice]:
    return hub.notices.annotate(
        receipt_count=Count("receipts"),
        read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
    ).order_by("-created_at", "-id")


def notice_receipts_for(user: Viewer) -> QuerySet[NoticeReceipt]:
    """Notices addressed to the organisations the user's account belongs to (OWN grants)."""
    scope = scope_of(user)
    if not scope.signed_in:
        return NoticeReceipt.objects.none()
    own = scope.granted_ids(reason=AccessReason.OWN)
    return (
        NoticeReceipt.objects.filter(organization_id__in=own)
        .select_related("notice", "notice__hub", "organization")
        .order_by("-notice__created_at", "-id")
    )


def escalation_visible_to(user: Viewer) -> QuerySet[Escalation]:
    """Bureau staff see escalations to their region; hub staff see their hubs' escalations."""
    scope = scope_of(user)
    if not scope.signed_in:
        return Escalation.objects.none()
    qs = Escalation.objects.select_related("hub", "organization", "assignee")
    if scope.is_bureau:
        q = scope.region_q("region_code")
        return qs if q is None else qs.filter(q)
    if scope.role == Role.HUB_STAFF:
        return qs.filter(hub_id__in=staff_hub_ids(user))
    return Escalation.objects.none()


def escalation_get_for(user: Viewer, pk: int) -> Escalation:
    esc = escalation_visible_to(user).filter(pk=pk).first()
    if esc is None:
        raise NotFound("上报事项不存在")
    return esc


def platform_visible_to(user: Viewer) -> QuerySet[ServicePlatform]:
    """Platforms of the user's region (and those serving the levels above it), of a hub user's
    hubs, of the hubs a party officer is assigned; every one for the superuser."""
    scope = scope_of(user)
    if not scope.signed_in:
        return ServicePlatform.objects.none()
    qs = ServicePlatform.objects.select_related("operator", "region").prefetch_related("offerings")
    if scope.role == Role.HUB_STAFF and not scope.everything:
        return qs.filter(operator_id__in=staff_hub_ids(user))
    if _is_party_officer(scope):
        return qs.filter(operator__in=hub_visible_to(user))
    q = scope.region_q("region_code")
    if q is not None and scope.has_region:
        # Region users also see the platforms serving the levels above them (city, district).
        q |= Q(region_code__in=[p.ljust(12, "0") for p in _ancestor_prefixes(scope.prefix) if p])
    return qs if q is None else qs.filter(q)


def platform_get_for(user: Viewer, pk: int) -> ServicePlatform:
    platform = platform_visible_to(user).filter(pk=pk).first()
    if platform is None:
        raise NotFound("服务平台不存在")
    return platform


def federation_visible_to(user: Viewer) -> QuerySet[Federation]:
    """Federations of the user's region (a community's: its street's), of a hub user's hubs,
    those a party officer is assigned; every one for the superuser."""
    scope = scope_of(user)
    if not scope.signed_in:
        return Federation.objects.none()
    qs = Federation.objects.select_related("street", "organization", "chair", "hub")
    if scope.role == Role.HUB_STAFF and not scope.everything:
        return qs.filter(hub_id__in=staff_hub_ids(user))
    if _is_party_officer(scope):
        return qs.filter(organization_id__in=party_assigned_ids(user))
    q = scope.region_q("street_code")
    if q is not None and scope.has_region and len(scope.prefix) > 9:
        q = Q(street_code=scope.prefix[:9].ljust(12, "0"))
    return qs if q is None else qs.filter(q)


def federation_get_for(user: Viewer, pk: int) -> Federation:
    fed = federation_visible_to(user).filter(pk=pk).first()
    if fed is None:
        raise NotFound("联合会不存在")
    return fed


def pairing_visible_to(user: Viewer) -> QuerySet[Pairing]:
    """Pairings of community groups in the user's region; for hub staff and party officers,
    those involving one of their organisations (members, assignments)."""
    scope = scope_of(user)
    if not scope.signed_in:
        return Pairing.objects.none()
    qs = Pairing.objects.select_related("senior", "community_group")
    if scope.role == Role.HUB_STAFF and not scope.everything:
        members = member_ids_for_user(user)
        return qs.filter(Q(senior_id__in=members) | Q(community_group_id__in=members))
    if _is_party_officer(scope):
        assigned = party_assigned_ids(user)
        return qs.filter(Q(senior_id__in=assigned) | Q(community_group_id__in=assigned))
    q = scope.region_q("community_group__address_code")
    return qs if q is None else qs.filter(q)


# --- coverage ------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> Decimal:
    """``part / whole`` as a percentage with one decimal (0 when ``whole`` is 0)."""
    if whole == 0:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class FederationCoverage:
    code: str
    name: str
    streets: int
    with_federation: int
    chaired_by_head: int

    @property
    def coverage(self) -> Decimal:
        return percent(self.with_federation, self.streets)

    @property
    def head_chair_share(self) -> Decimal:
        """Share of the federations (not of the streets) chaired by the street head."""
        return percent(self.chaired_by_head, self.with_federation)


def federation_coverage(
    prefix: str, *, group_level: int = Level.COUNTY, on: dt.date | None = None
) -> dict[str, Any]:
    """Streets with a live federation and the share chaired by the street head, inside
    ``prefix``, per unit of ``group_level`` (districts by default), and in total; now, or as
    things stood at the end of day ``on`` (established by then, not yet dissolved, its hub
    not revoked by then).

    Three queries: the streets, the groups' names, the federations.
    """
    streets = list(
        Region.objects.active()
        .filter(level=Level.TOWNSHIP, code__startswith=prefix)
        .values_list("code", flat=True)
    )
    cut = {Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9}[Level(group_level)]
    live = Federation.objects.filter(street_code__startswith=prefix)
    if on is None:
        live = live.filter(dissolved_on__isnull=True, hub__status=HubStatus.RECOGNISED)
    else:
        live = live.filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on),
            Q(hub__revoked_on__isnull=True) | Q(hub__revoked_on__gt=on),
            established_on__lte=on,
        ).exclude(hub__status=HubStatus.REVOKED, hub__revoked_on__isnull=True)
    feds = dict(live.values_list("street_code", "chaired_by_street_head"))
    rows: dict[str, FederationCoverage] = {}
    total = FederationCoverage(prefix, "", 0, 0, 0)
    for code in streets:
        key = code[:cut]
        row = rows.setdefault(key, FederationCoverage(key, "", 0, 0, 0))
        for bucket in (row, total):
            bucket.streets += 1
            if code in feds:
                bucket.with_federation += 1
                bucket.chaired_by_head += int(bool(feds[code]))
    names = dict(
        Region.objects.active()
        .filter(code__in=[k.ljust(12, "0") for k in rows], level=group_level)
        .values_list("code", "name")
    )
    for key, row in rows.items():
        row.name = names.get(key.ljust(12, "0"), key)
    return {"rows": sorted(rows.values(), key=lambda r: r.code), "total": total}


@dataclass(frozen=True)
class CoverageTrend:
    """Federation coverage (%) at the end of each year, the last one today, per row of the
    coverage table and in total."""

    years: list[int]
    rows: list[tuple[str, str, list[Decimal]]]  # (code, name, coverage per year)
    total: list[Decimal]


def federation_coverage_trend(
    prefix: str, *, group_level: int = Level.COUNTY, years: int = 5, today: dt.date | None = None
) -> CoverageTrend:
    """``federation_coverage`` at each 31 December of the ``years - 1`` years before this one,
    and now (the same figures as the coverage table). Three queries a year."""
    day = _today(today)
    ends = [dt.date(y, 12, 31) for y in range(day.year - years + 1, day.year)]
    tables = [federation_coverage(prefix, group_level=group_level, on=end) for end in ends]
    tables.append(federation_coverage(prefix, group_level=group_level))
    current = tables[-1]["rows"]
    rows = []
    for row in current:
        values = []
        for table in tables:
            match = next((r for r in table["rows"] if r.code == row.code), None)
            values.append(match.coverage if match else Decimal(0))
        rows.append((row.code, row.name, values))
    return CoverageTrend(
        years=[end.year for end in ends] + [day.year],
        rows=rows,
        total=[t["total"].coverage for t in tables],
    )


@dataclass
class PlatformCoverage:
    level: str
    label: str
    regions: int
    covered: int
    platforms: int

    @property
    def coverage(self) -> Decimal:
        return percent(self.covered, self.regions)


def platform_coverage(prefix: str, *, on: dt.date | None = None) -> list[PlatformCoverage]:
    """Per platform level: the regions of that level inside ``prefix`` (or containing it), how
    many have an open platform, and how many platforms there are (Jinan: 1 / 15 / 161).

    Two queries: the regions, the open platforms.
    """
    day = _today(on)
    ancestors = [p.ljust(12, "0") for p in _ancestor_prefixes(prefix) if p]
    levels = list(PLATFORM_REGION_LEVEL.values())
    regions = list(
        Region.objects.active()
        .filter(Q(code__startswith=prefix) | Q(code__in=ancestors), level__in=levels)
        .values_list("code", "level")
    )
    codes = {code for code, _level in regions}
    platforms = list(
        ServicePlatform.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .filter(opened_on__lte=day, region_code__in=codes)
        .values_list("level", "region_code")
    )
    result = []
    for level in PlatformLevel:
        region_level = PLATFORM_REGION_LEVEL[level]
        level_codes = {code for code, lvl in regions if lvl == region_level}
        at_level = [code for lvl, code in platforms if lvl == level and code in level_codes]
        result.append(
            PlatformCoverage(
                level, str(level.label), len(level_codes), len(set(at_level)), len(at_level)
            )
        )
    return result


def hub_counts_by_kind(prefix: str = "", *, on: dt.date | None = None) -> dict[str, int]:
    day = _today(on)
    qs = Hub.objects.current(day)
    if prefix:
        qs = qs.filter(
            Q(scope_prefix__startswith=prefix) | Q(organization__address_code__startswith=prefix)
        )
    return dict(qs.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))


def first_line_reviews(subject: str, subject_id: str | int) -> QuerySet[Any]:
    """The hubs' first-line reviews of one submission in another app, newest first."""
    from .models import FirstLineReview

    return FirstLineReview.objects.select_related("hub", "reviewed_by").filter(
        subject=subject, subject_id=str(subject_id)
    )


def hub_actions_for_organization(org: Organization | int) -> QuerySet[Any]:
    """Audit events hubs recorded against the organisation (for its history page)."""
    from npohub.core.models import AuditEvent

    org_id = org if isinstance(org, int) else org.pk
    return AuditEvent.objects.filter(organization_id=org_id, kind__startswith="hubs.").order_by(
        "-occurred_at", "-id"
    )


# --- fetch-and-authorise helpers used by the pages and the API --------------------------------


def membership_get(hub: Hub, pk: int) -> HubMembership:
    """A stay on ``hub``'s roster (the caller already fetched ``hub`` with ``hub_get_for``)."""
    membership = hub.memberships.select_related("organization", "hub").filter(pk=pk).first()
    if membership is None:
        raise NotFound("成员不存在")
    return membership


def pairing_get_for(user: Viewer, pk: int) -> Pairing:
    pairing = pairing_visible_to(user).filter(pk=pk).first()
    if pairing is None:
        raise NotFound("结对不存在")
    return pairing


def external_member_get_for(user: Viewer, pk: int) -> Any:
    from .models import FederationExternalMember

    member = (
        FederationExternalMember.objects.select_related("federation")
        .filter(pk=pk, federation__in=federation_visible_to(user))
        .first()
    )
    if member is None:
        raise NotFound("单位会员不存在")
    return member


def hub_reviews(hub: Hub, *, organization: Organization | None = None) -> QuerySet[Any]:
    """The hub's first-line reviews, newest first (of one member when given)."""
    from .models import FirstLineReview

    qs = FirstLineReview.objects.select_related("organization", "reviewed_by").filter(hub=hub)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("-reviewed_at", "-id")


def street_list_item_get(list_kind: str, street_code: str, pk: int) -> Any:
    """One entry of a street's list (the caller fetched the street with ``street_get_for``)."""
    item = street_list_items(list_kind, street_code).filter(pk=pk).first()
    if item is None:
        raise NotFound(_("清单条目不存在"))
    return item


def notice_receipt_get_for(user: Viewer, pk: int) -> NoticeReceipt:
    """A notice addressed to one of the user's own organisations, or NotFound."""
    receipt = notice_receipts_for(user).filter(pk=pk).first()
    if receipt is None:
        raise NotFound(_("通知不存在"))
    return receipt


def account_named(username: str) -> User | None:
    """The account a bureau user names in a form (a staff member, an assignee)."""
    name = username.strip()
    return User.objects.filter(username=name).first() if name else None


def hub_staff_get(hub: Hub, user_pk: int) -> User:
    """A hub-staff account holding an OWN grant on the hub's organisation (open, ended or to
    come: the service decides), or NotFound."""
    account = (
        User.objects.filter(
            pk=user_pk,
            role=Role.HUB_STAFF,
            organization_grants__organization_id=hub.organization_id,
            organization_grants__reason=AccessReason.OWN,
        )
        .distinct()
        .first()
    )
    if account is None:
        raise NotFound(_("该账号不是本枢纽工作人员"))
    return account


def street_list_items(list_kind: str, street_code: str) -> QuerySet[Any]:
    """The entries of one of a street's three lists ("needs", "resources", "services")."""
    model = STREET_LISTS.get(list_kind)
    if model is None:
        raise NotFound("清单不存在")
    qs: QuerySet[Any] = model.objects.filter(street_code=street_code)
    return qs.order_by("-created_at", "-id")


def coverage_group_level(prefix: str) -> int:
    """The level one step below ``prefix`` (the rows of a coverage drill-down)."""
    if len(prefix) <= 2:
        return int(Level.CITY)
    if len(prefix) <= 4:
        return int(Level.COUNTY)
    return int(Level.TOWNSHIP)


def region_frame(user: Viewer) -> str:
    """The region a user's hub figures are framed by (counts per kind, coverage): the region
    set on the account, whatever the role ("" when none). Figures are counts, not records."""
    return str(getattr(user, "scope_prefix", "") or "") if scope_of(user).signed_in else ""


def list_prefix_for(user: Viewer, requested: str = "") -> str:
    """The region a list is narrowed to: ``requested`` when inside the user's frame (any code
    for the superuser), else the frame itself."""
    own = region_frame(user)
    prefix = requested.strip() or own
    if not scope_of(user).everything and own and not prefix.startswith(own):
        return own
    return prefix


def street_get_for(user: Viewer, code: str) -> Region:
    """A street (乡级区划) whose three lists the user keeps, or NotFound (missing or not yours)."""
    from .permissions import can_keep_street_lists

    code = code.strip()
    street = (
        Region.objects.active().filter(code=code.ljust(12, "0"), level=Level.TOWNSHIP).first()
        if code.isdigit() and len(code) <= 12
        else None
    )
    if street is None or not can_keep_street_lists(user, street.code):
        raise NotFound(_("街道不存在"))
    return street


def street_federation(street: Region) -> Federation | None:
    """The street's federation that is not dissolved (whatever its recognition)."""
    return Federation.objects.filter(street=street, dissolved_on__isnull=True).first()


def coverage_prefix_for(user: Viewer, requested: str = "") -> str | None:
    """The region prefix a coverage report may show: ``requested`` (a code, any level) when it
    lies inside the user's region, else the user's own region. None: nothing to show."""
    own = region_frame(user)
    code = requested.strip()
    if code:
        if not code.isdigit() or len(code) > 12:
            return None
        region = Region.objects.active().filter(code=code.ljust(12, "0")).first()
        prefix = region.prefix if region is not None else code.rstrip("0")
    else:
        prefix = own
    if scope_of(user).everything:
        return prefix
    if not own:
        return None
    return prefix if prefix.startswith(own) else None
