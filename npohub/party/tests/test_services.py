"""Party services: the §9 tier rules, coverage, counts, stations, instructors; audit; denials."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from npohub.core.errors import Conflict, PermissionDenied
from npohub.core.models import AuditEvent
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.party import services
from npohub.party.errors import PartyRuleError
from npohub.party.models import (
    InstructorAssignment,
    PartyCoverage,
    PartyMemberCount,
    PartyOrganization,
    Tier,
    WorkStation,
    WorkStationBudget,
)
from npohub.party.services import PartyOrganizationInput

from .factories import D0, assign, hub_for, party_org, units

pytestmark = pytest.mark.django_db


def own_branch(host, formal: int) -> PartyOrganizationInput:
    return PartyOrganizationInput(
        name=f"{host.name}党支部",
        tier=Tier.OWN_BRANCH,
        established_on=D0,
        host_organization=host,
        formal_members=formal,
        secretary_name="王书记",
    )


def joint_branch(covered, region="370102001002") -> PartyOrganizationInput:
    return PartyOrganizationInput(
        name="解放桥社区社会组织联合党支部",
        tier=Tier.JOINT_BRANCH,
        established_on=D0,
        region_code=region,
        formal_members=4,
        covered=list(covered),
    )


def nothing_stored() -> None:
    assert PartyOrganization.objects.count() == 0
    assert PartyCoverage.objects.count() == 0
    assert PartyMemberCount.objects.count() == 0
    assert not AuditEvent.objects.filter(kind__startswith="party.").exists()


def test_an_own_branch_with_two_formal_members_is_refused_and_nothing_is_stored(cast, orgs):
    assign(cast["party"], orgs["assoc"])
    with pytest.raises(PartyRuleError) as exc:
        services.party_organization_create(actor=cast["party"], data=own_branch(orgs["assoc"], 2))
    assert exc.value.code == "party.own_branch_too_few_members"
    assert exc.value.message == (
        "独立党支部须有正式党员3名以上（现有2名）；不足3名的单位应组建或加入联合党支部"
    )
    nothing_stored()


def test_an_own_branch_with_three_formal_members_covers_its_unit_and_is_audited(cast, orgs):
    assign(cast["party"], orgs["assoc"])
    po = services.party_organization_create(actor=cast["party"], data=own_branch(orgs["assoc"], 3))
    assert po.region_code == orgs["assoc"].address_code
    assert po.secretary is not None and po.secretary.name == "王书记"
    assert list(po.coverages.values_list("organization_id", "start_date", "end_date")) == [
        (orgs["assoc"].pk, D0, None)
    ]
    assert list(po.member_counts.values_list("as_of", "formal_members")) == [(D0, 3)]
    event = AuditEvent.objects.get(kind="party.organization_created")
    assert event.actor == cast["party"]
    assert event.organization_id == orgs["assoc"].pk
    assert event.payload["covered"] == [orgs["assoc"].pk]


def test_a_joint_branch_covering_six_units_is_refused_and_nothing_is_stored(cast, regions):
    six = units(6, regions["c_jfq1"])
    assign(cast["party"], *six)
    with pytest.raises(PartyRuleError) as exc:
        services.party_organization_create(actor=cast["party"], data=joint_branch(six))
    assert exc.value.code == "party.joint_branch_too_many_units"
    assert exc.value.message == "联合党支部覆盖的单位一般不超过5个（覆盖后将为6个）"
    nothing_stored()


def test_a_joint_branch_takes_five_units_but_refuses_a_sixth_and_stores_nothing(cast, regions):
    five = units(5, regions["c_jfq1"])
    assign(cast["party"], *five)
    po = services.party_organization_create(actor=cast["party"], data=joint_branch(five))
    assert po.coverages.count() == 5
    sixth = OrganizationFactory(community=regions["c_jfq1"])
    assign(cast["party"], sixth)
    events = AuditEvent.objects.count()
    with pytest.raises(PartyRuleError) as exc:
        services.party_coverage_add(
            actor=cast["party"], po=po, organization=sixth, start_date=dt.date(2024, 6, 1)
        )
    assert exc.value.message == "联合党支部覆盖的单位一般不超过5个（覆盖后将为6个）"
    assert po.coverages.count() == 5
    assert AuditEvent.objects.count() == events


def test_a_unit_that_ended_its_joint_coverage_frees_a_place(cast, regions):
    five = units(5, regions["c_jfq1"])
    assign(cast["party"], *five)
    po = services.party_organization_create(actor=cast["party"], data=joint_branch(five))
    services.party_coverage_end(
        actor=cast["party"], coverage=po.coverages.first(), end_date=dt.date(2024, 5, 31)
    )
    sixth = OrganizationFactory(community=regions["c_jfq1"])
    assign(cast["party"], sixth)
    services.party_coverage_add(
        actor=cast["party"], po=po, organization=sixth, start_date=dt.date(2024, 6, 1)
    )
    assert po.coverages.filter(end_date__isnull=True).count() == 5


def test_setting_up_an_own_branch_takes_the_unit_out_of_its_joint_branch(cast, regions):
    members = units(3, regions["c_jfq1"])
    assign(cast["party"], *members)
    joint = services.party_organization_create(actor=cast["party"], data=joint_branch(members))
    data = own_branch(members[0], 3)
    data.established_on = dt.date(2024, 9, 1)
    services.party_organization_create(actor=cast["party"], data=data)
    left = joint.coverages.get(organization=members[0])
    assert left.end_date == dt.date(2024, 8, 31)
    assert joint.coverages.filter(end_date__isnull=True).count() == 2


def test_a_joint_branch_cannot_take_a_unit_already_in_another(cast, regions):
    unit = OrganizationFactory(community=regions["c_jfq1"])
    assign(cast["party"], unit)
    services.party_organization_create(actor=cast["party"], data=joint_branch([unit]))
    other = joint_branch([unit])
    other.name = "另一个联合党支部"
    with pytest.raises(Conflict) as exc:
        services.party_organization_create(actor=cast["party"], data=other)
    assert exc.value.code == "party.already_covered"
    assert exc.value.message == (
        f"“{unit.name}”已由“解放桥社区社会组织联合党支部”覆盖，请先终止原覆盖关系"
    )
    assert PartyOrganization.objects.count() == 1


def test_a_branch_may_not_sit_under_another_branch(cast, orgs, regions):
    joint = party_org(Tier.JOINT_BRANCH, covers=[orgs["group"]])
    assign(cast["party"], orgs["assoc"], orgs["group"])
    data = own_branch(orgs["assoc"], 5)
    data.parent = joint
    with pytest.raises(PartyRuleError) as exc:
        services.party_organization_create(actor=cast["party"], data=data)
    assert exc.value.code == "party.invalid_parent"
    assert exc.value.message == "独立党支部的上级党组织应为：党委、党总支（且未撤销）"
    assert PartyOrganization.objects.count() == 1


def test_an_industry_committee_needs_a_recognised_hub(cast, orgs):
    data = PartyOrganizationInput(
        name="济南市社会工作行业党委",
        tier=Tier.COMMITTEE,
        established_on=D0,
        host_organization=orgs["assoc"],
        industry="社会工作",
        formal_members=120,
    )
    with pytest.raises(PartyRuleError) as exc:
        services.party_organization_create(actor=cast["city"], data=data)
    assert exc.value.message == f"“{orgs['assoc'].name}”在2024年1月1日不是经认定的枢纽型社会组织"
    assert PartyOrganization.objects.count() == 0
    hub_for(orgs["assoc"])
    po = services.party_organization_create(actor=cast["city"], data=data)
    assert po.is_industry_committee
    assert po.coverages.count() == 0  # it leads branches; it does not cover its hub


@pytest.mark.parametrize("who", ["hub", "org_user", "street", "reviewer", "district_out"])
def test_people_outside_party_building_cannot_set_up_a_branch(cast, orgs, who):
    with pytest.raises(PermissionDenied):
        services.party_organization_create(actor=cast[who], data=own_branch(orgs["assoc"], 3))
    nothing_stored()


def test_recording_member_counts_keeps_history_and_shows_the_latest(cast, orgs):
    assign(cast["party"], orgs["assoc"])
    po = services.party_organization_create(actor=cast["party"], data=own_branch(orgs["assoc"], 3))
    services.party_member_count_record(
        actor=cast["party"], po=po, as_of=dt.date(2025, 1, 1), formal_members=5, activists=2
    )
    services.party_member_count_record(
        actor=cast["party"], po=po, as_of=dt.date(2024, 6, 1), formal_members=4
    )
    po.refresh_from_db()
    assert (po.formal_members, po.activists, po.counts_as_of) == (5, 2, dt.date(2025, 1, 1))
    assert list(po.member_counts.values_list("as_of", "formal_members")) == [
        (dt.date(2025, 1, 1), 5),
        (dt.date(2024, 6, 1), 4),
        (D0, 3),
    ]


def test_dissolving_ends_coverage_the_day_before(cast, orgs):
    assign(cast["party"], orgs["assoc"])
    po = services.party_organization_create(actor=cast["party"], data=own_branch(orgs["assoc"], 3))
    services.party_organization_dissolve(
        actor=cast["party"], po=po, dissolved_on=dt.date(2025, 3, 1), reason="单位注销"
    )
    assert po.coverages.get().end_date == dt.date(2025, 2, 28)
    assert AuditEvent.objects.filter(kind="party.organization_dissolved").count() == 1


def test_a_work_station_at_a_hub_gets_its_budget_and_links(cast, orgs, regions):
    hub_for(orgs["assoc"])
    station = services.work_station_create(
        actor=cast["city"],
        name="济南市社会组织党建工作站（一）",
        host_organization=orgs["assoc"],
        established_on=D0,
        budget_amount=Decimal("100000"),
    )
    services.work_station_budget_set(
        actor=cast["city"], station=station, year=2025, amount=Decimal("100000")
    )
    services.work_station_link_add(
        actor=cast["city"], station=station, start_date=D0, organization=orgs["other"]
    )
    po = party_org(host=orgs["other"])
    services.work_station_link_add(
        actor=cast["city"], station=station, start_date=D0, party_organization=po
    )
    assert list(WorkStationBudget.objects.values_list("year", "amount").order_by("year")) == [
        (2024, Decimal("100000.00")),
        (2025, Decimal("100000.00")),
    ]
    assert station.links.count() == 2
    with pytest.raises(Conflict):
        services.work_station_link_add(
            actor=cast["city"], station=station, start_date=D0, organization=orgs["other"]
        )
    assert station.links.count() == 2


def test_a_work_station_at_an_organisation_that_is_not_a_hub_is_refused(cast, orgs):
    with pytest.raises(PartyRuleError) as exc:
        services.work_station_create(
            actor=cast["city"], name="工作站", host_organization=orgs["assoc"], established_on=D0
        )
    assert exc.value.code == "party.not_a_hub"
    assert WorkStation.objects.count() == 0


def test_instructors_are_assigned_once_and_leaving_ends_their_assignments(cast, orgs):
    ins = services.instructor_create(
        actor=cast["district"],
        name="赵指导",
        region_code="370102000000",
        appointed_on=D0,
        unit_label="市民政局社会组织管理科",
    )
    services.instructor_assign(
        actor=cast["district"], instructor=ins, organization=orgs["assoc"], start_date=D0
    )
    with pytest.raises(Conflict):
        services.instructor_assign(
            actor=cast["district"], instructor=ins, organization=orgs["assoc"], start_date=D0
        )
    services.instructor_end(actor=cast["district"], instructor=ins, ended_on=dt.date(2025, 1, 31))
    assert list(InstructorAssignment.objects.values_list("end_date", flat=True)) == [
        dt.date(2025, 1, 31)
    ]


def test_an_instructor_outside_the_users_region_is_refused(cast):
    with pytest.raises(PermissionDenied) as exc:
        services.instructor_create(
            actor=cast["district"], name="赵指导", region_code="370114000000", appointed_on=D0
        )
    assert exc.value.message == "该区划不在您的党建工作范围内"
    assert not AuditEvent.objects.filter(kind__startswith="party.").exists()
