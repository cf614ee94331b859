"""Coverage figures (rule 47): formation rate and work coverage, kept apart, on a small world."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.db.models import Q

from npohub.orgs.models import Organization, Status
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory
from npohub.party.models import InstructorAssignment, PartyCoverage, StaffPartyMembers, Tier
from npohub.party.selectors import coverage_report
from npohub.regions.models import Region

from .factories import instructor, party_org, staff_members

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 6, 30)


@pytest.fixture
def world(regions):
    r = regions
    o = {}
    o["A"] = OrganizationFactory(name="A", community=r["c_jfq1"])
    o["B"] = OrganizationFactory(name="B", community=r["c_jfq1"])
    o["C"] = CommunityGroupFactory(name="C", community=r["c_jfq1"])
    o["D"] = OrganizationFactory(name="D", community=r["c_jfq1"])
    o["E"] = OrganizationFactory(name="E", community=r["c_jfq1"])
    o["F"] = OrganizationFactory(name="F", community=r["c_qfs1"])
    o["G"] = OrganizationFactory(name="G", community=r["c_qfs1"])
    o["H"] = OrganizationFactory(name="H", community=r["c_ms_village"])
    o["I"] = OrganizationFactory(name="I", community=r["c_ms_village"])
    o["J"] = OrganizationFactory(name="J", community=r["c_jfq1"], status=Status.DEREGISTERED)
    for key, formal in {"A": 5, "B": 3, "C": 1, "F": 4, "H": 3, "J": 5}.items():
        staff_members(o[key], formal)
    party_org(host=o["A"], formal=5)
    party_org(Tier.JOINT_BRANCH, covers=[o["B"], o["C"]], formal=4)
    party_org(host=o["H"], formal=3, region_code=o["H"].address_code)
    party_org(host=o["J"], formal=5)
    instructor(o["D"])
    instructor(o["G"], o["A"])
    return o


def figures(row):
    return (
        row.organizations,
        row.should_have,
        row.formed,
        row.formation_rate,
        row.work_covered,
        row.work_coverage,
    )


def test_the_city_district_and_street_rates_are_exact_fractions(world, regions):
    city = coverage_report("3701", ON, children=[regions["lixia"], regions["zhangqiu"]])
    assert figures(city.total) == (9, 4, 2, Fraction(1, 2), 6, Fraction(2, 3))
    lixia, zhangqiu = city.by_child
    assert figures(lixia) == (7, 3, 1, Fraction(1, 3), 5, Fraction(5, 7))
    assert figures(zhangqiu) == (2, 1, 1, Fraction(1), 1, Fraction(1, 2))
    assert lixia.missing == 2

    district = coverage_report(
        "370102", ON, children=[regions["jiefangqiao"], regions["qianfoshan"]]
    )
    jfq, qfs = district.by_child
    assert figures(jfq) == (5, 2, 1, Fraction(1, 2), 4, Fraction(4, 5))
    assert figures(qfs) == (2, 1, 0, Fraction(0), 1, Fraction(1, 2))


def test_the_two_rates_are_kept_apart_per_kind(world):
    report = coverage_report("3701", ON, kind_labels={"association": "社会团体"})
    by_kind = {row.key: row for row in report.by_kind}
    assert figures(by_kind["association"]) == (8, 4, 2, Fraction(1, 2), 5, Fraction(5, 8))
    assert by_kind["association"].label == "社会团体"
    group = by_kind["community_group"]
    assert (group.should_have, group.formation_rate, group.work_coverage) == (0, None, Fraction(1))


def test_a_region_without_organisations_has_no_rate_rather_than_zero(regions):
    report = coverage_report("370114", ON)
    assert (report.total.formation_rate, report.total.work_coverage) == (None, None)


def _direct_counts(prefix: str) -> tuple[int, int, int, int]:
    """The figures counted straight from the records, one question at a time."""
    orgs = Organization.objects.filter(address_code__startswith=prefix).exclude(
        status__in=[Status.DEREGISTERED, Status.REVOKED]
    )
    should = 0
    formed = 0
    work = 0
    for org in orgs:
        latest = (
            StaffPartyMembers.objects.filter(organization=org, as_of__lte=ON)
            .order_by("-as_of")
            .first()
        )
        live = PartyCoverage.objects.filter(organization=org, start_date__lte=ON).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=ON)
        )
        has_instructor = InstructorAssignment.objects.filter(
            organization=org, start_date__lte=ON
        ).exists()
        if latest is not None and latest.formal_members >= 3:
            should += 1
            if live.exclude(party_organization__tier=Tier.JOINT_BRANCH).exists():
                formed += 1
        if live.exists() or has_instructor:
            work += 1
    return orgs.count(), should, formed, work


@pytest.mark.parametrize("code", ["370102001", "370102", "3701"])
def test_coverage_for_a_street_district_and_the_city_equals_a_direct_count(world, code):
    region = Region.objects.get(code=code.ljust(12, "0"))
    total = coverage_report(region.prefix, ON).total
    assert (total.organizations, total.should_have, total.formed, total.work_covered) == (
        _direct_counts(region.prefix)
    )
