"""Reads on party building. Every list starts from the user's party scope (permissions.py).

Detection and coverage figures are computed from the base tables for a date: the latest
staff-member report on or before it, the coverage and assignment rows in force on it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from npohub.core.errors import NotFound
from npohub.orgs.models import CLOSED_STATUSES, Organization
from npohub.regions.models import Region

from .models import (
    OWN_TIERS,
    Instructor,
    InstructorAssignment,
    PartyCoverage,
    PartyMemberCount,
    PartyOrganization,
    StaffPartyMembers,
    Tier,
    WorkStation,
    WorkStationLink,
    active_on_q,
)
from .permissions import (
    Viewer,
    assigned_units,
    can_view_party,
    is_party_officer,
    organization_in_party_scope,
    units_q,
)
from .permissions import party_region_prefix as _prefix
from .policy import policy_for

# --- scopes --------------------------------------------------------------------------------


def organization_party_scope_q(user: Viewer) -> Q | None:
    """Organisations whose party data the user may see; None means every one."""
    return units_q(user)


def _region_visible_q(user: Viewer) -> Q | None:
    """Records kept by region (``region_code``) in the user's region; None means every one.
    A party officer sees none by region, only those touching its units."""
    if getattr(user, "is_superuser", False):
        return None
    prefix = _prefix(user)
    if not prefix or is_party_officer(user):
        return Q(pk__in=[])
    return Q(region_code__startswith=prefix)


def party_organizations_visible_to(user: Viewer) -> QuerySet[PartyOrganization]:
    """Party organisations in the user's region; for a party officer, those sitting in or
    covering (now or once) a unit it is assigned."""
    if not can_view_party(user):
        return PartyOrganization.objects.none()
    qs = PartyOrganization.objects.all()
    q = _region_visible_q(user)
    if q is None:
        return qs
    if is_party_officer(user):
        units = assigned_units(user)
        covering = PartyCoverage.objects.filter(organization_id__in=units).values(
            "party_organization_id"
        )
        q |= Q(pk__in=covering) | Q(host_organization_id__in=units)
    return qs.filter(q)


# --- party organisations -----------------------------------------------------------------------


@dataclass
class PartyOrganizationFilters:
    region_prefix: str = ""
    tier: str = ""
    search: str = ""
    include_dissolved: bool = False
    industry_only: bool = False


def party_organization_list_for(
    user: Viewer, filters: PartyOrganizationFilters | None = None
) -> QuerySet[PartyOrganization]:
    """The party organisations the user may see, filtered, with what list pages show."""
    f = filters or PartyOrganizationFilters()
    qs = party_organizations_visible_to(user).select_related(
        "secretary", "host_organization", "parent"
    )
    if f.region_prefix:
        qs = qs.filter(region_code__startswith=f.region_prefix)
    if f.tier:
        qs = qs.filter(tier=f.tier)
    if f.search:
        qs = qs.filter(Q(name__icontains=f.search) | Q(host_organization__name__icontains=f.search))
    if not f.include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    if f.industry_only:
        qs = qs.exclude(industry="")
    today = timezone.localdate()
    qs = qs.annotate(
        covered_units=Count(
            "coverages",
            filter=active_on_q(today, start="coverages__start_date", end="coverages__end_date"),
        ),
    )
    return qs.order_by("region_code", "name", "id")


def party_organization_get_for(user: Viewer, pk: int) -> PartyOrganization:
    """One party organisation the user may see, or NotFound (missing and forbidden alike)."""
    po = (
        party_organizations_visible_to(user)
        .select_related("secretary", "host_organization", "parent")
        .filter(pk=pk)
        .first()
    )
    if po is None:
        raise NotFound("党组织不存在")
    return po


def party_organization_coverages(po: PartyOrganization) -> QuerySet[PartyCoverage]:
    return po.coverages.select_related("organization").order_by("-start_date", "-id")


def party_organization_counts(po: PartyOrganization) -> QuerySet[PartyMemberCount]:
    return po.member_counts.select_related("recorded_by").order_by("-as_of", "-id")


def party_coverage_get_for(user: Viewer, pk: int) -> PartyCoverage:
    cov = PartyCoverage.objects.select_related("party_organization", "organization").filter(pk=pk)
    row = cov.first()
    if (
        row is None
        or not party_organizations_visible_to(user).filter(pk=row.party_organization_id).exists()
    ):
        raise NotFound("覆盖记录不存在")
    return row


def organization_get_for_party(user: Viewer, pk: int) -> Organization:
    """An organisation whose party data the user may see, or NotFound."""
    org = Organization.objects.select_related("authority_region", "community").filter(pk=pk).first()
    if org is None or not organization_in_party_scope(user, org):
        raise NotFound("组织不存在")
    return org


def organization_find_for_party(user: Viewer, ref: str) -> Organization:
    """An organisation by USCC or by id, inside the user's party scope, or NotFound."""
    ref = ref.strip().upper()
    org = None
    if len(ref) == 18:
        org = Organization.objects.select_related("authority_region").filter(uscc=ref).first()
    elif ref.isdigit():
        org = Organization.objects.select_related("authority_region").filter(pk=int(ref)).first()
    if org is None or not organization_in_party_scope(user, org):
        raise NotFound("组织不存在")
    return org


def staff_party_reports(org: Organization) -> QuerySet[StaffPartyMembers]:
    return (
        StaffPartyMembers.objects.filter(organization=org)
        .select_related("recorded_by")
        .order_by("-as_of", "-id")
    )


# --- work stations, industry committees, instructors -------------------------------------------


def work_station_list_for(user: Viewer) -> QuerySet[WorkStation]:
    """Work stations in the user's party region (for a party officer: at or linked to one of its
    units), with this year's budget and live link counts."""
    if not can_view_party(user):
        return WorkStation.objects.none()
    q = _region_visible_q(user)
    if q is not None and is_party_officer(user):
        units = assigned_units(user)
        linked = WorkStationLink.objects.filter(organization_id__in=units).values("station_id")
        q |= Q(host_organization_id__in=units) | Q(pk__in=linked)
    qs = WorkStation.objects.all() if q is None else WorkStation.objects.filter(q)
    today = timezone.localdate()
    live = active_on_q(today, start="links__start_date", end="links__end_date")
    return (
        qs.select_related("host_organization")
        .annotate(
            linked_organizations=Count("links", filter=live & Q(links__organization__isnull=False)),
            linked_party_organizations=Count(
                "links", filter=live & Q(links__party_organization__isnull=False)
            ),
        )
        .prefetch_related("budgets")
        .order_by("region_code", "name", "id")
    )


def work_station_get_for(user: Viewer, pk: int) -> WorkStation:
    station = work_station_list_for(user).filter(pk=pk).first()
    if station is None:
        raise NotFound("党建工作站不存在")
    return station


def work_station_links(station: WorkStation) -> QuerySet[WorkStationLink]:
    return station.links.select_related("organization", "party_organization").order_by(
        "-start_date", "-id"
    )


def work_station_link_get_for(user: Viewer, pk: int) -> WorkStationLink:
    link = WorkStationLink.objects.select_related("station").filter(pk=pk).first()
    if link is None or not work_station_list_for(user).filter(pk=link.station_id).exists():
        raise NotFound("联系记录不存在")
    return link


def instructor_list_for(user: Viewer, *, include_ended: bool = False) -> QuerySet[Instructor]:
    """Instructors and liaisons in the user's party region (for a party officer: those ever
    assigned to one of its units), with their current caseload."""
    if not can_view_party(user):
        return Instructor.objects.none()
    q = _region_visible_q(user)
    if q is not None and is_party_officer(user):
        assigned = InstructorAssignment.objects.filter(
            organization_id__in=assigned_units(user)
        ).values("instructor_id")
        q |= Q(pk__in=assigned)
    qs = Instructor.objects.all() if q is None else Instructor.objects.filter(q)
    if not include_ended:
        qs = qs.filter(ended_on__isnull=True)
    today = timezone.localdate()
    return (
        qs.select_related("person", "user")
        .annotate(
            caseload=Count(
                "assignments",
                filter=active_on_q(
                    today, start="assignments__start_date", end="assignments__end_date"
                ),
            )
        )
        .order_by("region_code", "id")
    )


def instructor_get_for(user: Viewer, pk: int) -> Instructor:
    instructor = instructor_list_for(user, include_ended=True).filter(pk=pk).first()
    if instructor is None:
        raise NotFound("指导员不存在")
    return instructor


def instructor_assignments(instructor: Instructor) -> QuerySet[InstructorAssignment]:
    return instructor.assignments.select_related("organization").order_by("-start_date", "-id")


def instructor_assignment_get_for(user: Viewer, pk: int) -> InstructorAssignment:
    row = InstructorAssignment.objects.select_related("instructor", "organization").filter(pk=pk)
    found = row.first()
    if (
        found is None
        or not instructor_list_for(user, include_ended=True).filter(pk=found.instructor_id).exists()
    ):
        raise NotFound("联系记录不存在")
    return found


@dataclass
class Caseload:
    instructors: int
    assigned_organizations: int
    assignments: int

    @property
    def per_instructor(self) -> Fraction | None:
        return Fraction(self.assignments, self.instructors) if self.instructors else None


def caseload_for(user: Viewer, *, on: dt.date | None = None) -> Caseload:
    """Instructors in force, organisations they cover and assignments (Rizhao: 19 for 69)."""
    today = on or timezone.localdate()
    instructors = instructor_list_for(user).filter(appointed_on__lte=today)
    assignments = InstructorAssignment.objects.filter(
        active_on_q(today), instructor__in=instructors.values("pk")
    )
    if is_party_officer(user):  # its own units' share of the instructors' work
        assignments = assignments.filter(organization_id__in=assigned_units(user))
    return Caseload(
        instructors=instructors.count(),
        assigned_organizations=assignments.values("organization_id").distinct().count(),
        assignments=assignments.count(),
    )


# --- facts per organisation on a date ----------------------------------------------------------


def _live_coverage(on: dt.date) -> QuerySet[PartyCoverage]:
    return PartyCoverage.objects.filter(active_on_q(on)).filter(
        Q(party_organization__dissolved_on__isnull=True)
        | Q(party_organization__dissolved_on__gt=on),
        party_organization__established_on__lte=on,
    )


def _scoped(qs: QuerySet[Any], org_ids: Iterable[int] | None, prefix: str) -> QuerySet[Any]:
    if org_ids is not None:
        qs = qs.filter(organization_id__in=list(org_ids))
    if prefix:
        qs = qs.filter(organization__address_code__startswith=prefix)
    return qs


def covered_ids(
    on: dt.date, *, org_ids: Iterable[int] | None = None, prefix: str = "", own_only: bool = False
) -> set[int]:
    """Organisations covered on ``on`` by a party organisation (own tiers only if asked)."""
    qs = _live_coverage(on)
    if own_only:
        qs = qs.filter(party_organization__tier__in=OWN_TIERS)
    return set(_scoped(qs, org_ids, prefix).values_list("organization_id", flat=True))


def instructed_ids(
    on: dt.date, *, org_ids: Iterable[int] | None = None, prefix: str = ""
) -> set[int]:
    """Organisations with an instructor or liaison assigned on ``on``."""
    qs = InstructorAssignment.objects.filter(active_on_q(on)).filter(
        Q(instructor__ended_on__isnull=True) | Q(instructor__ended_on__gte=on)
    )
    return set(_scoped(qs, org_ids, prefix).values_list("organization_id", flat=True))


@dataclass
class MemberFigure:
    formal_members: int
    as_of: dt.date
    # First day of the current run of reports at or above the threshold (None: below it).
    above_since: dt.date | None = None


def staff_member_figures(
    on: dt.date, *, org_ids: Iterable[int] | None = None, prefix: str = ""
) -> dict[int, MemberFigure]:
    """For each organisation with a report on or before ``on``: the latest figure, and since
    when its reports have stayed at or above the 应建 threshold (its province's policy)."""
    rows = _scoped(StaffPartyMembers.objects.filter(as_of__lte=on), org_ids, prefix)
    figures: dict[int, MemberFigure] = {}
    thresholds: dict[str, int] = {}
    for org_id, code, as_of, formal in rows.order_by("organization_id", "as_of", "id").values_list(
        "organization_id", "organization__address_code", "as_of", "formal_members"
    ):
        province = code[:2]
        if province not in thresholds:
            thresholds[province] = int(policy_for(province)["should_have_min_formal_members"])
        previous = figures.get(org_id)
        above = formal >= thresholds[province]
        since = (previous.above_since or as_of) if previous is not None else as_of
        figures[org_id] = MemberFigure(formal, as_of, since if above else None)
    return figures


@dataclass
class MissingOrganization:
    """An organisation that should have its own party organisation and has none (应建未建)."""

    organization_id: int
    formal_members: int
    reported_on: dt.date
    since: dt.date


def _own_coverage_ended(on: dt.date, org_ids: Iterable[int]) -> dict[int, dt.date]:
    """The last day an own-tier coverage ended before ``on``, per organisation."""
    ended: dict[int, dt.date] = {}
    rows = PartyCoverage.objects.filter(
        organization_id__in=list(org_ids),
        party_organization__tier__in=OWN_TIERS,
        start_date__lte=on,
    ).values_list("organization_id", "end_date", "party_organization__dissolved_on")
    for org_id, end, dissolved in rows:
        days = [d for d in (end, dissolved and dissolved - dt.timedelta(days=1)) if d is not None]
        last = min(days) if days else None
        if last is not None and last < on and (org_id not in ended or last > ended[org_id]):
            ended[org_id] = last
    return ended


def missing_party_organizations(
    on: dt.date, *, org_ids: Iterable[int] | None = None, prefix: str = ""
) -> list[MissingOrganization]:
    """应建未建 on ``on`` (rule 46): open organisations whose latest staff report counts at
    least the threshold of formal members and that no own-tier party organisation covers
    (a joint branch does not count: it is for units below the threshold)."""
    figures = staff_member_figures(on, org_ids=org_ids, prefix=prefix)
    candidates = {pk: f for pk, f in figures.items() if f.above_since is not None}
    if not candidates:
        return []
    open_ids = set(
        Organization.objects.filter(pk__in=list(candidates))
        .exclude(status__in=CLOSED_STATUSES)
        .values_list("pk", flat=True)
    )
    own = covered_ids(on, org_ids=open_ids, own_only=True)
    missing_ids = sorted(open_ids - own)
    ended = _own_coverage_ended(on, missing_ids)
    result = []
    for pk in missing_ids:
        figure = candidates[pk]
        assert figure.above_since is not None
        since = figure.above_since
        if pk in ended and ended[pk] + dt.timedelta(days=1) > since:
            since = ended[pk] + dt.timedelta(days=1)
        result.append(MissingOrganization(pk, figure.formal_members, figure.as_of, since))
    return result


def missing_list_for(user: Viewer, *, on: dt.date | None = None, prefix: str = "") -> list[Any]:
    """应建未建 organisations in the user's party scope, with the organisation attached."""
    today = on or timezone.localdate()
    scope = organization_party_scope_q(user)
    orgs = Organization.objects.all() if scope is None else Organization.objects.filter(scope)
    if prefix:
        orgs = orgs.filter(address_code__startswith=prefix)
    rows = missing_party_organizations(today, org_ids=orgs.values_list("pk", flat=True))
    by_id = Organization.objects.select_related("community").in_bulk(
        [r.organization_id for r in rows]
    )
    return [(by_id[r.organization_id], r) for r in rows]


def uncovered_list_for(
    user: Viewer, *, on: dt.date | None = None, prefix: str = ""
) -> QuerySet[Organization]:
    """Open organisations with neither a party organisation nor an instructor on the date."""
    today = on or timezone.localdate()
    scope = organization_party_scope_q(user)
    orgs = Organization.objects.open()
    if scope is not None:
        orgs = orgs.filter(scope)
    if prefix:
        orgs = orgs.filter(address_code__startswith=prefix)
    covered = _live_coverage(today).values("organization_id")
    instructed = InstructorAssignment.objects.filter(active_on_q(today)).filter(
        Q(instructor__ended_on__isnull=True) | Q(instructor__ended_on__gte=today)
    )
    return (
        orgs.exclude(pk__in=covered)
        .exclude(pk__in=instructed.values("organization_id"))
        .select_related("community")
        .order_by("address_code", "name", "id")
    )


# --- coverage figures (rule 47: two rates, kept apart) -----------------------------------------


@dataclass
class CoverageRow:
    """Coverage figures for one region or kind on a date.

    formation rate = ``formed`` / ``should_have`` (organisations with ≥ 3 formal members that
    have their own party organisation, over all organisations with ≥ 3 formal members);
    work coverage = ``work_covered`` / ``organizations`` (organisations with a party
    organisation, own or joint, or an instructor, over all organisations).
    """

    key: str
    label: str
    organizations: int = 0
    should_have: int = 0
    formed: int = 0
    with_party_organization: int = 0
    with_instructor: int = 0
    work_covered: int = 0
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return self.should_have - self.formed

    @property
    def formation_rate(self) -> Fraction | None:
        return Fraction(self.formed, self.should_have) if self.should_have else None

    @property
    def work_coverage(self) -> Fraction | None:
        return Fraction(self.work_covered, self.organizations) if self.organizations else None


@dataclass
class CoverageReport:
    on: dt.date
    total: CoverageRow
    by_child: list[CoverageRow]
    by_kind: list[CoverageRow]


def coverage_report(
    prefix: str,
    on: dt.date,
    *,
    children: list[Region] | None = None,
    kind_labels: dict[str, str] | None = None,
    scope: Q | None = None,
) -> CoverageReport:
    """Both rates for the region ``prefix`` on ``on``, per child region and per kind.

    Counts open organisations located in the region (kinds per policy), from five queries.
    """
    kinds = policy_for(prefix)["coverage_kinds"]
    orgs = Organization.objects.open()
    if prefix:
        orgs = orgs.filter(address_code__startswith=prefix)
    if kinds:
        orgs = orgs.filter(kind__in=kinds)
    if scope is not None:
        orgs = orgs.filter(scope)
    rows = list(orgs.values_list("pk", "address_code", "kind"))
    figures = staff_member_figures(on, prefix=prefix)
    party = covered_ids(on, prefix=prefix)
    own = covered_ids(on, prefix=prefix, own_only=True)
    instructed = instructed_ids(on, prefix=prefix)

    child_list = children or []
    by_prefix = {c.prefix: c for c in child_list}
    lengths = sorted({len(p) for p in by_prefix}, reverse=True)

    def child_of(code: str) -> Region | None:
        for length in lengths:
            found = by_prefix.get(code[:length])
            if found is not None:
                return found
        return None

    labels = kind_labels or {}
    total = CoverageRow(key=prefix, label="")
    per_child: dict[str, CoverageRow] = {
        c.code: CoverageRow(key=c.code, label=c.name) for c in child_list
    }
    per_kind: dict[str, CoverageRow] = defaultdict(lambda: CoverageRow(key="", label=""))
    for pk, code, kind in rows:
        figure = figures.get(pk)
        should = figure is not None and figure.above_since is not None
        has_party = pk in party
        has_instructor = pk in instructed
        targets = [total, per_kind[kind]]
        child = child_of(code)
        if child is not None:
            targets.append(per_child[child.code])
        for row in targets:
            row.organizations += 1
            row.should_have += int(should)
            row.formed += int(should and pk in own)
            row.with_party_organization += int(has_party)
            row.with_instructor += int(has_instructor)
            row.work_covered += int(has_party or has_instructor)
    kind_rows = []
    for kind, row in sorted(per_kind.items()):
        row.key = kind
        row.label = labels.get(kind, kind)
        kind_rows.append(row)
    return CoverageReport(on, total, [per_child[c.code] for c in child_list], kind_rows)


# --- for other apps ----------------------------------------------------------------------------


def has_party_organization(org_ids: Iterable[int], on: dt.date) -> dict[int, bool]:
    """Whether each organisation is covered by a party organisation (own or joint) on ``on``;
    the first criterion of star ratings."""
    wanted = list(org_ids)
    covered = covered_ids(on, org_ids=wanted)
    return {pk: pk in covered for pk in wanted}


def party_summary_for(org: Organization, on: dt.date | None = None) -> dict[str, Any] | None:
    """The party section of the annual report, filled once from the party records; None when
    nothing is recorded about the organisation. Plain JSON values (dates as ISO strings)."""
    today = on or timezone.localdate()
    figure = staff_member_figures(today, org_ids=[org.pk]).get(org.pk)
    coverage = (
        _live_coverage(today)
        .filter(organization_id=org.pk)
        .select_related("party_organization__secretary")
        .order_by("-start_date", "-id")
        .first()
    )
    instructors = list(
        InstructorAssignment.objects.filter(active_on_q(today), organization_id=org.pk)
        .select_related("instructor__person")
        .order_by("start_date", "id")
    )
    if figure is None and coverage is None and not instructors:
        return None
    po = coverage.party_organization if coverage else None
    threshold = int(policy_for(org.address_code)["should_have_min_formal_members"])
    formal = figure.formal_members if figure else None
    should_have = formal is not None and formal >= threshold
    has_own = po is not None and po.tier in OWN_TIERS
    return {
        "as_of": today.isoformat(),
        "staff_formal_members": formal,
        "staff_members_reported_on": figure.as_of.isoformat() if figure else None,
        "party_organization": None
        if po is None or coverage is None
        else {
            "id": po.pk,
            "name": po.name,
            "tier": po.tier,
            "tier_label": str(Tier(po.tier).label),
            "established_on": po.established_on.isoformat(),
            "secretary": po.secretary.name if po.secretary else "",
            "formal_members": po.formal_members,
            "probationary_members": po.probationary_members,
            "activists": po.activists,
            "covered_since": coverage.start_date.isoformat(),
        },
        "instructors": [
            {
                "name": a.instructor.person.name,
                "kind": a.instructor.kind,
                "since": a.start_date.isoformat(),
            }
            for a in instructors
        ],
        "should_have_own": should_have,
        "missing": should_have and not has_own,
    }
