"""/api/v1/party/: one operation per endpoint; thin (selector or one service, render).

Party data is for party-building officers and the bureau: every operation answers 404 to
anyone else, as for a missing object.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.accounts.models import User
from npohub.core.errors import NotFound, ValidationFailed
from npohub.core.validators import mask_phone
from npohub.orgs.models import Kind, Organization
from npohub.party import selectors, services
from npohub.party.models import (
    Instructor,
    InstructorAssignment,
    PartyCoverage,
    PartyOrganization,
    Tier,
    WorkStation,
    WorkStationLink,
)
from npohub.party.permissions import (
    can_view_party,
    instructor_view,
    party_organization_view,
    party_region_prefix,
)
from npohub.regions.models import Region

from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import (
    BudgetIn,
    CaseloadOut,
    CoverageIn,
    CoverageReportOut,
    DissolveIn,
    EndIn,
    ErrorOut,
    InstructorDetailOut,
    InstructorEndIn,
    InstructorIn,
    InstructorOut,
    MemberCountIn,
    MemberCountOut,
    OrganizationRefOut,
    PartyAssignIn,
    PartyAssignmentOut,
    PartyCoverageOut,
    PartyMissingOut,
    PartyOrganizationDetailOut,
    PartyOrganizationIn,
    PartyOrganizationOut,
    PartyOrganizationUpdateIn,
    StaffMembersIn,
    StaffMembersOut,
    StationLinkIn,
    StationLinkOut,
    UnitOut,
    WorkStationIn,
    WorkStationOut,
)

router = Router(tags=["party"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)

DEFINITIONS = {
    "formation_rate": "组建率 = 应建单位（从业人员中正式党员≥3名）中已建立本单位党组织的单位数 ÷ 应建单位数",
    "work_coverage": "工作覆盖率 = 有党组织覆盖（含联合党支部）或已选派指导员/联络员的单位数 ÷ 全部社会组织数",
    "note": "全国尚无统一公式（待核实），两项指标分别计算、不合并",
}


def _user(request: HttpRequest) -> User:
    """The caller, if party data is theirs to see; otherwise the 404 of a missing object."""
    user = api_user(request)
    if not can_view_party(user):
        raise NotFound(_("对象不存在"))
    return user


def _org(user: User, pk: int | None) -> Organization | None:
    return None if pk is None else selectors.organization_get_for_party(user, pk)


def _ref(org: Organization | None) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "name": org.name, "uscc": org.uscc}


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def po_out(po: PartyOrganization) -> dict[str, Any]:
    covered = getattr(po, "covered_units", None)
    if covered is None:
        today = timezone.localdate()
        covered = sum(
            1
            for c in po.coverages.all()
            if c.start_date <= today and (c.end_date is None or c.end_date >= today)
        )
    return {
        "id": po.pk,
        "name": po.name,
        "tier": po.tier,
        "tier_label": str(Tier(po.tier).label),
        "region_code": po.region_code,
        "parent_id": po.parent_id,
        "host_organization": _ref(po.host_organization),
        "industry": po.industry,
        "secretary": po.secretary.name if po.secretary else "",
        "established_on": po.established_on,
        "dissolved_on": po.dissolved_on,
        "approval_ref": po.approval_ref,
        "formal_members": po.formal_members,
        "probationary_members": po.probationary_members,
        "activists": po.activists,
        "counts_as_of": po.counts_as_of,
        "covered_units": covered,
    }


def po_detail_out(user: User, po: PartyOrganization) -> dict[str, Any]:
    """One party organisation as its page shows it (``party_organization_view``)."""
    view = party_organization_view(user, po)
    phone = po.secretary.phone if po.secretary else ""
    return {
        **po_out(po),
        "secretary_phone": phone if view.sees_phone else mask_phone(phone),
        "personal_data_masked": not view.sees_phone,
    }


def _parent(user: User, pk: int | None) -> PartyOrganization | None:
    return None if pk is None else selectors.party_organization_get_for(user, pk)


# --- party organisations -----------------------------------------------------------------------


@router.get(
    "/organizations",
    response={200: Page[PartyOrganizationOut], **ERRORS},
    operation_id="party_organizations_list",
)
def party_organization_list(
    request: HttpRequest,
    page: Query[PageParams],
    tier: str = "",
    region: str = "",
    q: str = "",
    include_dissolved: bool = False,
    industry_only: bool = False,
) -> dict[str, Any]:
    """Party organisations in the caller's party scope."""
    user = _user(request)
    qs = selectors.party_organization_list_for(
        user,
        selectors.PartyOrganizationFilters(
            region_prefix=region.strip().rstrip("0"),
            tier=tier,
            search=q,
            include_dissolved=include_dissolved,
            industry_only=industry_only,
        ),
    )
    return paginate(request, qs, page, render=po_out)


@router.post(
    "/organizations",
    response={201: PartyOrganizationDetailOut, **ERRORS},
    operation_id="party_organizations_create",
)
def party_organization_create(request: HttpRequest, payload: PartyOrganizationIn) -> Any:
    """Set up a party organisation (own branch ≥ 3 formal members; joint branch ≤ 5 units)."""
    user = _user(request)
    data = services.PartyOrganizationInput(
        name=payload.name,
        tier=payload.tier,
        established_on=payload.established_on,
        region_code=payload.region_code,
        host_organization=_org(user, payload.host_organization_id),
        parent=_parent(user, payload.parent_id),
        industry=payload.industry,
        secretary_name=payload.secretary_name,
        secretary_phone=payload.secretary_phone,
        approval_ref=payload.approval_ref,
        formal_members=payload.formal_members,
        probationary_members=payload.probationary_members,
        activists=payload.activists,
        note=payload.note,
        covered=[
            selectors.organization_get_for_party(user, pk)
            for pk in payload.covered_organization_ids
        ],
    )
    po = services.party_organization_create(actor=user, data=data)
    return Status(201, po_detail_out(user, selectors.party_organization_get_for(user, po.pk)))


@router.get(
    "/organizations/{int:po_id}",
    response={200: PartyOrganizationDetailOut, **ERRORS},
    operation_id="party_organizations_detail",
)
def party_organization_detail(request: HttpRequest, po_id: int) -> dict[str, Any]:
    user = _user(request)
    return po_detail_out(user, selectors.party_organization_get_for(user, po_id))


@router.put(
    "/organizations/{int:po_id}",
    response={200: PartyOrganizationDetailOut, **ERRORS},
    operation_id="party_organizations_update",
)
def party_organization_update(
    request: HttpRequest, po_id: int, payload: PartyOrganizationUpdateIn
) -> dict[str, Any]:
    """Correct the record (name, tier, parent, secretary, dates, industry)."""
    user = _user(request)
    po = selectors.party_organization_get_for(user, po_id)
    data = services.PartyOrganizationInput(
        name=payload.name,
        tier=payload.tier,
        established_on=payload.established_on,
        region_code=payload.region_code,
        parent=_parent(user, payload.parent_id),
        industry=payload.industry,
        secretary_name=payload.secretary_name,
        secretary_phone=payload.secretary_phone,
        approval_ref=payload.approval_ref,
        note=payload.note,
    )
    services.party_organization_update(actor=user, po=po, data=data)
    return po_detail_out(user, selectors.party_organization_get_for(user, po_id))


@router.post(
    "/organizations/{int:po_id}/dissolve",
    response={200: PartyOrganizationDetailOut, **ERRORS},
    operation_id="party_organizations_dissolve",
)
def party_organization_dissolve(request: HttpRequest, po_id: int, payload: DissolveIn) -> Any:
    user = _user(request)
    po = selectors.party_organization_get_for(user, po_id)
    services.party_organization_dissolve(
        actor=user, po=po, dissolved_on=payload.dissolved_on, reason=payload.reason
    )
    return po_detail_out(user, selectors.party_organization_get_for(user, po_id))


@router.get(
    "/organizations/{int:po_id}/member-counts",
    response={200: Page[MemberCountOut], **ERRORS},
    operation_id="party_member_counts_list",
)
def member_count_list(request: HttpRequest, po_id: int, page: Query[PageParams]) -> Any:
    po = selectors.party_organization_get_for(_user(request), po_id)
    return paginate(request, selectors.party_organization_counts(po), page)


@router.post(
    "/organizations/{int:po_id}/member-counts",
    response={201: MemberCountOut, **ERRORS},
    operation_id="party_member_counts_record",
)
def member_count_record(request: HttpRequest, po_id: int, payload: MemberCountIn) -> Any:
    user = _user(request)
    po = selectors.party_organization_get_for(user, po_id)
    row = services.party_member_count_record(actor=user, po=po, **payload.dict())
    return Status(201, row)


@router.get(
    "/organizations/{int:po_id}/coverages",
    response={200: Page[PartyCoverageOut], **ERRORS},
    operation_id="party_coverages_list",
)
def coverage_list(request: HttpRequest, po_id: int, page: Query[PageParams]) -> Any:
    po = selectors.party_organization_get_for(_user(request), po_id)
    return paginate(request, selectors.party_organization_coverages(po), page, render=_coverage_out)


def _coverage_out(c: PartyCoverage) -> dict[str, Any]:
    return {
        "id": c.pk,
        "party_organization_id": c.party_organization_id,
        "organization": _ref(c.organization),
        "start_date": c.start_date,
        "end_date": c.end_date,
    }


@router.post(
    "/organizations/{int:po_id}/coverages",
    response={201: PartyCoverageOut, **ERRORS},
    operation_id="party_coverages_add",
)
def coverage_add(request: HttpRequest, po_id: int, payload: CoverageIn) -> Any:
    """A party organisation takes a unit in (a joint branch up to 5 units)."""
    user = _user(request)
    po = selectors.party_organization_get_for(user, po_id)
    org = selectors.organization_get_for_party(user, payload.organization_id)
    cov = services.party_coverage_add(
        actor=user, po=po, organization=org, start_date=payload.start_date
    )
    return Status(201, _coverage_out(cov))


@router.post(
    "/coverages/{int:coverage_id}/end",
    response={200: PartyCoverageOut, **ERRORS},
    operation_id="party_coverages_end",
)
def coverage_end(request: HttpRequest, coverage_id: int, payload: EndIn) -> Any:
    user = _user(request)
    cov = selectors.party_coverage_get_for(user, coverage_id)
    services.party_coverage_end(actor=user, coverage=cov, end_date=payload.end_date)
    return _coverage_out(cov)


@router.get(
    "/industry-committees",
    response={200: Page[PartyOrganizationOut], **ERRORS},
    operation_id="party_industry_committees_list",
)
def industry_committee_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    """Industry party committees at hubs."""
    user = _user(request)
    qs = selectors.party_organization_list_for(
        user, selectors.PartyOrganizationFilters(industry_only=True, include_dissolved=True)
    )
    return paginate(request, qs, page, render=po_out)


# --- organisations' party data -----------------------------------------------------------------


@router.get(
    "/units/{int:org_id}", response={200: UnitOut, **ERRORS}, operation_id="party_units_detail"
)
def unit_detail(request: HttpRequest, org_id: int) -> Any:
    """An organisation's party summary (the annual report's party section)."""
    org = selectors.organization_get_for_party(_user(request), org_id)
    return {"organization": _ref(org), "summary": selectors.party_summary_for(org)}


@router.get(
    "/units/{int:org_id}/staff-members",
    response={200: Page[StaffMembersOut], **ERRORS},
    operation_id="party_staff_members_list",
)
def staff_members_list(request: HttpRequest, org_id: int, page: Query[PageParams]) -> Any:
    org = selectors.organization_get_for_party(_user(request), org_id)
    return paginate(request, selectors.staff_party_reports(org), page)


@router.post(
    "/units/{int:org_id}/staff-members",
    response={201: StaffMembersOut, **ERRORS},
    operation_id="party_staff_members_record",
)
def staff_members_record(request: HttpRequest, org_id: int, payload: StaffMembersIn) -> Any:
    """Record the formal party members among the unit's staff on a date."""
    user = _user(request)
    org = selectors.organization_get_for_party(user, org_id)
    row = services.staff_party_members_record(actor=user, organization=org, **payload.dict())
    return Status(201, row)


@router.get(
    "/missing", response={200: Page[PartyMissingOut], **ERRORS}, operation_id="party_missing_list"
)
def missing_list(
    request: HttpRequest, page: Query[PageParams], on: dt.date | None = None, region: str = ""
) -> Any:
    """应建未建: ≥ 3 formal members among the staff and no own party organisation."""
    user = _user(request)
    rows = selectors.missing_list_for(user, on=on, prefix=region.strip().rstrip("0"))
    result = paginate(request, rows, page)
    result["results"] = [
        {
            "organization": _ref(org),
            "formal_members": row.formal_members,
            "reported_on": row.reported_on,
            "since": row.since,
        }
        for org, row in result["results"]
    ]
    return result


@router.get(
    "/uncovered",
    response={200: Page[OrganizationRefOut], **ERRORS},
    operation_id="party_uncovered_list",
)
def uncovered_list(
    request: HttpRequest, page: Query[PageParams], on: dt.date | None = None, region: str = ""
) -> Any:
    """Organisations with neither a party organisation nor an instructor."""
    user = _user(request)
    qs = selectors.uncovered_list_for(user, on=on, prefix=region.strip().rstrip("0"))
    return paginate(request, qs, page)


@router.get(
    "/coverage", response={200: CoverageReportOut, **ERRORS}, operation_id="party_coverage_figures"
)
def coverage_figures(request: HttpRequest, region: str = "", on: dt.date | None = None) -> Any:
    """Formation rate and work coverage, apart (rule 47), per child region and per kind."""
    user = _user(request)
    own = party_region_prefix(user)
    if not own and not user.is_superuser:
        raise NotFound(_("对象不存在"))
    code = region.strip() or own
    if code and (not code.isdigit() or len(code) > 12):
        raise ValidationFailed(_("区划代码无效"), details={"region": _("无效")})
    area = Region.objects.filter(code=code.ljust(12, "0"), is_active=True).first() if code else None
    prefix = area.prefix if area else code.rstrip("0")
    if own and not prefix.startswith(own):
        raise NotFound(_("对象不存在"))
    day = on or timezone.localdate()
    children = list(
        Region.objects.filter(parent=area, is_active=True).order_by("code")
        if area
        else Region.objects.filter(parent__isnull=True, is_active=True).order_by("code")
    )
    report = selectors.coverage_report(
        prefix,
        day,
        children=children,
        kind_labels={k.value: str(k.label) for k in Kind},
        scope=selectors.organization_party_scope_q(user),
    )

    def row(r: selectors.CoverageRow) -> dict[str, Any]:
        return {
            "key": r.key,
            "label": r.label,
            "organizations": r.organizations,
            "should_have": r.should_have,
            "formed": r.formed,
            "missing": r.missing,
            "formation_rate": _fraction(r.formation_rate),
            "with_party_organization": r.with_party_organization,
            "with_instructor": r.with_instructor,
            "work_covered": r.work_covered,
            "work_coverage": _fraction(r.work_coverage),
        }

    return {
        "on": day,
        "region_code": area.code if area else "",
        "definitions": DEFINITIONS,
        "total": row(report.total),
        "by_child": [row(r) for r in report.by_child],
        "by_kind": [row(r) for r in report.by_kind],
    }


# --- work stations -----------------------------------------------------------------------------


def station_out(station: WorkStation) -> dict[str, Any]:
    return {
        "id": station.pk,
        "name": station.name,
        "host_organization": _ref(station.host_organization),
        "region_code": station.region_code,
        "established_on": station.established_on,
        "closed_on": station.closed_on,
        "linked_organizations": getattr(station, "linked_organizations", 0),
        "linked_party_organizations": getattr(station, "linked_party_organizations", 0),
        "budgets": [{"year": b.year, "amount": b.amount} for b in station.budgets.all()],
    }


@router.get(
    "/stations", response={200: Page[WorkStationOut], **ERRORS}, operation_id="party_stations_list"
)
def station_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    return paginate(
        request, selectors.work_station_list_for(_user(request)), page, render=station_out
    )


@router.post(
    "/stations", response={201: WorkStationOut, **ERRORS}, operation_id="party_stations_create"
)
def station_create(request: HttpRequest, payload: WorkStationIn) -> Any:
    """Set up a work station at a recognised hub, with its first year's funding."""
    user = _user(request)
    host = selectors.organization_get_for_party(user, payload.host_organization_id)
    station = services.work_station_create(
        actor=user,
        name=payload.name,
        host_organization=host,
        established_on=payload.established_on,
        region_code=payload.region_code,
        budget_year=payload.budget_year,
        budget_amount=payload.budget_amount,
        note=payload.note,
    )
    return Status(201, station_out(selectors.work_station_get_for(user, station.pk)))


@router.get(
    "/stations/{int:station_id}",
    response={200: WorkStationOut, **ERRORS},
    operation_id="party_stations_detail",
)
def station_detail(request: HttpRequest, station_id: int) -> Any:
    return station_out(selectors.work_station_get_for(_user(request), station_id))


@router.put(
    "/stations/{int:station_id}/budgets/{int:year}",
    response={200: WorkStationOut, **ERRORS},
    operation_id="party_stations_budget_set",
)
def station_budget(request: HttpRequest, station_id: int, year: int, payload: BudgetIn) -> Any:
    user = _user(request)
    station = selectors.work_station_get_for(user, station_id)
    services.work_station_budget_set(actor=user, station=station, year=year, amount=payload.amount)
    return station_out(selectors.work_station_get_for(user, station_id))


def _link_out(link: WorkStationLink) -> dict[str, Any]:
    return {
        "id": link.pk,
        "station_id": link.station_id,
        "organization_id": link.organization_id,
        "party_organization_id": link.party_organization_id,
        "start_date": link.start_date,
        "end_date": link.end_date,
    }


@router.get(
    "/stations/{int:station_id}/links",
    response={200: Page[StationLinkOut], **ERRORS},
    operation_id="party_stations_links_list",
)
def station_links(request: HttpRequest, station_id: int, page: Query[PageParams]) -> Any:
    station = selectors.work_station_get_for(_user(request), station_id)
    return paginate(request, selectors.work_station_links(station), page, render=_link_out)


@router.post(
    "/stations/{int:station_id}/links",
    response={201: StationLinkOut, **ERRORS},
    operation_id="party_stations_link",
)
def station_link(request: HttpRequest, station_id: int, payload: StationLinkIn) -> Any:
    user = _user(request)
    station = selectors.work_station_get_for(user, station_id)
    link = services.work_station_link_add(
        actor=user,
        station=station,
        start_date=payload.start_date,
        organization=_org(user, payload.organization_id),
        party_organization=_parent(user, payload.party_organization_id),
    )
    return Status(201, _link_out(link))


@router.post(
    "/station-links/{int:link_id}/end",
    response={200: StationLinkOut, **ERRORS},
    operation_id="party_stations_link_end",
)
def station_link_end(request: HttpRequest, link_id: int, payload: EndIn) -> Any:
    user = _user(request)
    link = selectors.work_station_link_get_for(user, link_id)
    services.work_station_link_end(actor=user, link=link, end_date=payload.end_date)
    return _link_out(link)


# --- instructors -------------------------------------------------------------------------------


def instructor_out(ins: Instructor) -> dict[str, Any]:
    return {
        "id": ins.pk,
        "name": ins.person.name,
        "kind": ins.kind,
        "unit_label": ins.unit_label,
        "region_code": ins.region_code,
        "appointed_on": ins.appointed_on,
        "ended_on": ins.ended_on,
        "caseload": getattr(ins, "caseload", 0),
    }


def instructor_detail_out(user: User, ins: Instructor) -> dict[str, Any]:
    """One instructor as its page shows it (``instructor_view``)."""
    view = instructor_view(user, ins)
    phone = ins.person.phone
    return {
        **instructor_out(ins),
        "phone": phone if view.sees_phone else mask_phone(phone),
        "personal_data_masked": not view.sees_phone,
    }


@router.get(
    "/instructors",
    response={200: Page[InstructorOut], **ERRORS},
    operation_id="party_instructors_list",
)
def instructor_list(
    request: HttpRequest, page: Query[PageParams], include_ended: bool = False
) -> Any:
    qs = selectors.instructor_list_for(_user(request), include_ended=include_ended)
    return paginate(request, qs, page, render=instructor_out)


@router.post(
    "/instructors",
    response={201: InstructorDetailOut, **ERRORS},
    operation_id="party_instructors_create",
)
def instructor_create(request: HttpRequest, payload: InstructorIn) -> Any:
    user = _user(request)
    ins = services.instructor_create(actor=user, **payload.dict())
    return Status(201, instructor_detail_out(user, selectors.instructor_get_for(user, ins.pk)))


@router.get(
    "/instructors/{int:instructor_id}",
    response={200: InstructorDetailOut, **ERRORS},
    operation_id="party_instructors_detail",
)
def instructor_detail(request: HttpRequest, instructor_id: int) -> Any:
    user = _user(request)
    return instructor_detail_out(user, selectors.instructor_get_for(user, instructor_id))


@router.post(
    "/instructors/{int:instructor_id}/end",
    response={200: InstructorDetailOut, **ERRORS},
    operation_id="party_instructors_end",
)
def instructor_end(request: HttpRequest, instructor_id: int, payload: InstructorEndIn) -> Any:
    user = _user(request)
    ins = selectors.instructor_get_for(user, instructor_id)
    services.instructor_end(actor=user, instructor=ins, ended_on=payload.ended_on)
    return instructor_detail_out(user, selectors.instructor_get_for(user, instructor_id))


def _assignment_out(row: InstructorAssignment) -> dict[str, Any]:
    return {
        "id": row.pk,
        "instructor_id": row.instructor_id,
        "organization": _ref(row.organization),
        "start_date": row.start_date,
        "end_date": row.end_date,
    }


@router.get(
    "/instructors/{int:instructor_id}/assignments",
    response={200: Page[PartyAssignmentOut], **ERRORS},
    operation_id="party_instructors_assignments_list",
)
def instructor_assignments(
    request: HttpRequest, instructor_id: int, page: Query[PageParams]
) -> Any:
    ins = selectors.instructor_get_for(_user(request), instructor_id)
    return paginate(request, selectors.instructor_assignments(ins), page, render=_assignment_out)


@router.post(
    "/instructors/{int:instructor_id}/assignments",
    response={201: PartyAssignmentOut, **ERRORS},
    operation_id="party_instructors_assign",
)
def instructor_assign(request: HttpRequest, instructor_id: int, payload: PartyAssignIn) -> Any:
    user = _user(request)
    ins = selectors.instructor_get_for(user, instructor_id)
    org = selectors.organization_get_for_party(user, payload.organization_id)
    row = services.instructor_assign(
        actor=user, instructor=ins, organization=org, start_date=payload.start_date
    )
    return Status(201, _assignment_out(row))


@router.post(
    "/assignments/{int:assignment_id}/end",
    response={200: PartyAssignmentOut, **ERRORS},
    operation_id="party_assignments_end",
)
def assignment_end(request: HttpRequest, assignment_id: int, payload: EndIn) -> Any:
    user = _user(request)
    row = selectors.instructor_assignment_get_for(user, assignment_id)
    services.instructor_assignment_end(actor=user, assignment=row, end_date=payload.end_date)
    return _assignment_out(row)


@router.get("/caseload", response={200: CaseloadOut, **ERRORS}, operation_id="party_caseload")
def caseload(request: HttpRequest, on: dt.date | None = None) -> Any:
    """Instructors in force, the organisations they cover, assignments per instructor."""
    day = on or timezone.localdate()
    figures = selectors.caseload_for(_user(request), on=day)
    return {
        "on": day,
        "instructors": figures.instructors,
        "assigned_organizations": figures.assigned_organizations,
        "assignments": figures.assignments,
        "per_instructor": _fraction(figures.per_instructor),
    }
