"""Input and output shapes of /api/v1/party/. Shapes only: the rules live in npohub.party."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from ..errors import ErrorOut as ErrorOut


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class PartyOrganizationIn(StrictIn):
    """A party organisation. Organisations are given by id (``host_organization_id``,
    ``covered_organization_ids``) and must be in the caller's party scope."""

    name: str
    tier: str = Field(..., description="own_branch / joint_branch / general_branch / committee")
    established_on: dt.date
    region_code: str = Field("", description="12 位区划代码；独立支部可留空（取所在单位住所）")
    host_organization_id: int | None = None
    parent_id: int | None = None
    industry: str = ""
    secretary_name: str = ""
    secretary_phone: str = ""
    approval_ref: str = ""
    formal_members: int = Field(0, ge=0)
    probationary_members: int = Field(0, ge=0)
    activists: int = Field(0, ge=0)
    note: str = ""
    covered_organization_ids: list[int] = []


class PartyOrganizationUpdateIn(StrictIn):
    name: str
    tier: str
    established_on: dt.date
    region_code: str = ""
    parent_id: int | None = None
    industry: str = ""
    secretary_name: str = ""
    secretary_phone: str = ""
    approval_ref: str = ""
    note: str = ""


class OrganizationRefOut(Schema):
    id: int
    name: str
    uscc: str | None = None


class PartyOrganizationOut(Schema):
    id: int
    name: str
    tier: str
    tier_label: str
    region_code: str
    parent_id: int | None
    host_organization: OrganizationRefOut | None
    industry: str
    secretary: str
    established_on: dt.date
    dissolved_on: dt.date | None
    approval_ref: str
    formal_members: int
    probationary_members: int
    activists: int
    counts_as_of: dt.date | None
    covered_units: int


class PartyOrganizationDetailOut(PartyOrganizationOut):
    """One party organisation, with its secretary's phone: masked unless the caller keeps the
    organisation (``personal_data_masked``), as on the page."""

    secretary_phone: str
    personal_data_masked: bool


class DissolveIn(StrictIn):
    dissolved_on: dt.date
    reason: str


class MemberCountIn(StrictIn):
    as_of: dt.date
    formal_members: int = Field(..., ge=0)
    probationary_members: int = Field(0, ge=0)
    activists: int = Field(0, ge=0)


class MemberCountOut(Schema):
    id: int
    as_of: dt.date
    formal_members: int
    probationary_members: int
    activists: int


class CoverageIn(StrictIn):
    organization_id: int
    start_date: dt.date


class EndIn(StrictIn):
    end_date: dt.date


class PartyCoverageOut(Schema):
    id: int
    party_organization_id: int
    organization: OrganizationRefOut
    start_date: dt.date
    end_date: dt.date | None


class StaffMembersIn(StrictIn):
    as_of: dt.date
    formal_members: int = Field(..., ge=0)
    source: str = ""


class StaffMembersOut(Schema):
    id: int
    organization_id: int
    as_of: dt.date
    formal_members: int
    source: str


class UnitOut(Schema):
    organization: OrganizationRefOut
    summary: dict[str, object] | None


class PartyMissingOut(Schema):
    organization: OrganizationRefOut
    formal_members: int
    reported_on: dt.date
    since: dt.date


class CoverageRowOut(Schema):
    key: str
    label: str
    organizations: int
    should_have: int
    formed: int
    missing: int
    formation_rate: str | None = Field(None, description="分数，如 “2/3”；无应建单位时为 null")
    with_party_organization: int
    with_instructor: int
    work_covered: int
    work_coverage: str | None = Field(None, description="分数；无组织时为 null")


class CoverageReportOut(Schema):
    on: dt.date
    region_code: str
    definitions: dict[str, str]
    total: CoverageRowOut
    by_child: list[CoverageRowOut]
    by_kind: list[CoverageRowOut]


class WorkStationIn(StrictIn):
    name: str
    host_organization_id: int
    established_on: dt.date
    region_code: str = ""
    budget_year: int | None = None
    budget_amount: Decimal | None = None
    note: str = ""


class BudgetIn(StrictIn):
    amount: Decimal


class BudgetOut(Schema):
    year: int
    amount: Decimal


class WorkStationOut(Schema):
    id: int
    name: str
    host_organization: OrganizationRefOut
    region_code: str
    established_on: dt.date
    closed_on: dt.date | None
    linked_organizations: int
    linked_party_organizations: int
    budgets: list[BudgetOut]


class StationLinkIn(StrictIn):
    organization_id: int | None = None
    party_organization_id: int | None = None
    start_date: dt.date


class StationLinkOut(Schema):
    id: int
    station_id: int
    organization_id: int | None
    party_organization_id: int | None
    start_date: dt.date
    end_date: dt.date | None


class InstructorIn(StrictIn):
    name: str
    region_code: str
    appointed_on: dt.date
    kind: str = "instructor"
    phone: str = ""
    unit_label: str = ""


class InstructorOut(Schema):
    id: int
    name: str
    kind: str
    unit_label: str
    region_code: str
    appointed_on: dt.date
    ended_on: dt.date | None
    caseload: int


class InstructorDetailOut(InstructorOut):
    """One instructor, with the phone: masked unless the caller keeps the instructor (the bureau
    of its region; ``personal_data_masked``), as on the page."""

    phone: str
    personal_data_masked: bool


class InstructorEndIn(StrictIn):
    ended_on: dt.date


class PartyAssignIn(StrictIn):
    organization_id: int
    start_date: dt.date


class PartyAssignmentOut(Schema):
    id: int
    instructor_id: int
    organization: OrganizationRefOut
    start_date: dt.date
    end_date: dt.date | None


class CaseloadOut(Schema):
    on: dt.date
    instructors: int
    assigned_organizations: int
    assignments: int
    per_instructor: str | None
