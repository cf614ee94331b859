"""Rules 21 and 22: deadlines per kind, route and province; who must report; the exemption day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from npohub.orgs.models import Kind
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, make_uscc
from npohub.supervision.selectors import deadlines_for, is_due, organizations_due

pytestmark = pytest.mark.django_db


def _org(regions, **kw):
    return OrganizationFactory(community=regions["c_jfq1"], authority_region=regions["lixia"], **kw)


def test_a_dual_managed_association_reports_to_its_supervisor_by_31_march_and_the_bureau_by_31_may(
    regions,
):
    d = deadlines_for(_org(regions), 2025)
    assert (d.supervisor, d.bureau, d.charity_disclosure) == (
        dt.date(2026, 3, 31),
        dt.date(2026, 5, 31),
        None,
    )


def test_a_foundation_reports_to_the_bureau_by_31_march(regions):
    org = _org(
        regions, kind=Kind.FOUNDATION, uscc=make_uscc("3", "370000", 901), foundation_type="public"
    )
    assert deadlines_for(org, 2025).bureau == dt.date(2026, 3, 31)


def test_a_directly_registered_organization_files_straight_with_the_bureau(regions):
    d = deadlines_for(_org(regions, supervisory_unit=""), 2025)
    assert (d.supervisor, d.bureau) == (None, dt.date(2026, 5, 31))


def test_a_charity_must_disclose_by_31_may(regions):
    assert deadlines_for(_org(regions, is_charity=True), 2025).charity_disclosure == dt.date(
        2026, 5, 31
    )


def test_a_province_may_move_the_bureau_deadline(regions):
    policy = {
        "37": {
            "bureau_deadline": {
                "association": "04-30",
                "social_service": "05-31",
                "foundation": "03-31",
            }
        }
    }
    with override_settings(SUPERVISION_POLICY=policy):
        assert deadlines_for(_org(regions), 2025).bureau == dt.date(2026, 4, 30)
        # Another province keeps the national date.
        qd_other = OrganizationFactory(community=regions["qd_comm"], address_code="440100000000")
        assert deadlines_for(qd_other, 2025).bureau == dt.date(2026, 5, 31)


@pytest.mark.parametrize(
    ("registered", "due"),
    [(dt.date(2025, 6, 30), True), (dt.date(2025, 7, 1), False), (dt.date(2025, 12, 31), False)],
)
def test_a_social_service_org_registered_less_than_six_months_at_31_december_is_exempt(
    regions, registered, due
):
    org = _org(
        regions,
        kind=Kind.SOCIAL_SERVICE,
        uscc=make_uscc("2", "370102", 902),
        registration_date=registered,
    )
    assert is_due(org, 2025) is due
    assert organizations_due(2025).filter(pk=org.pk).exists() is due


def test_an_association_registered_on_1_july_reports_unless_the_province_applies_the_cut_off(
    regions,
):
    org = _org(regions, registration_date=dt.date(2025, 7, 1))
    assert is_due(org, 2025) is True
    policy = {"37": {"exempt_months": {"association": 6, "social_service": 6, "foundation": None}}}
    with override_settings(SUPERVISION_POLICY=policy):  # Jiaxing practice, configured
        assert is_due(org, 2025) is False
        assert not organizations_due(2025).filter(pk=org.pk).exists()


def test_filed_groups_closed_organizations_and_those_registered_after_the_year_do_not_report(
    regions,
):
    group = CommunityGroupFactory(community=regions["c_jfq1"])
    closed = _org(regions, status="deregistered")
    later = _org(regions, registration_date=dt.date(2026, 1, 2))
    due = set(organizations_due(2025).values_list("pk", flat=True))
    assert not ({group.pk, closed.pk, later.pk} & due)
    assert [is_due(o, 2025) for o in (group, closed, later)] == [False, False, False]
