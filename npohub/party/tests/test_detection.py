"""应建未建 detection (rule 46), the credit detector, and the selectors other apps call."""

from __future__ import annotations

import datetime as dt

import pytest

from npohub.credit import registry
from npohub.credit.models import CreditFact
from npohub.orgs.models import Status
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.party import credit_hook, services
from npohub.party.models import Tier
from npohub.party.selectors import (
    has_party_organization,
    missing_party_organizations,
    party_summary_for,
)
from npohub.party.services import PartyOrganizationInput

from .factories import assign, instructor, party_org, staff_members

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 6, 30)


@pytest.fixture
def unit(regions):
    return OrganizationFactory(community=regions["c_jfq1"])


def missing_ids(on=ON):
    return [row.organization_id for row in missing_party_organizations(on)]


@pytest.mark.parametrize(("formal", "missing"), [(2, False), (3, True), (50, True)])
def test_an_organisation_should_have_its_own_party_organisation_from_three_members(
    unit, formal, missing
):
    staff_members(unit, formal)
    assert missing_ids() == ([unit.pk] if missing else [])


def test_the_latest_report_on_or_before_the_date_counts(unit):
    staff_members(unit, 4, dt.date(2024, 1, 1))
    staff_members(unit, 2, dt.date(2025, 1, 1))
    assert missing_ids(dt.date(2024, 12, 31)) == [unit.pk]
    assert missing_ids(dt.date(2025, 1, 1)) == []
    assert missing_ids(dt.date(2023, 12, 31)) == []


def test_a_joint_branch_does_not_count_as_an_own_party_organisation(unit, regions):
    staff_members(unit, 3)
    party_org(Tier.JOINT_BRANCH, covers=[unit])
    assert missing_ids() == [unit.pk]
    assert has_party_organization([unit.pk], ON) == {unit.pk: True}


def test_an_own_branch_ends_the_missing_state_from_the_day_it_covers_the_unit(unit):
    staff_members(unit, 3)
    party_org(host=unit, on=dt.date(2025, 3, 1))
    assert missing_ids(dt.date(2025, 2, 28)) == [unit.pk]
    assert missing_ids(dt.date(2025, 3, 1)) == []


def test_closed_organisations_are_not_flagged(unit):
    staff_members(unit, 3)
    unit.status = Status.DEREGISTERED
    unit.save()
    assert missing_ids() == []


def test_since_is_the_start_of_the_current_run_at_or_above_the_threshold(unit):
    staff_members(unit, 3, dt.date(2023, 1, 1))
    staff_members(unit, 1, dt.date(2023, 6, 1))
    staff_members(unit, 5, dt.date(2024, 2, 1))
    staff_members(unit, 6, dt.date(2024, 9, 1))
    (row,) = missing_party_organizations(ON)
    assert (row.formal_members, row.reported_on, row.since) == (
        6,
        dt.date(2024, 9, 1),
        dt.date(2024, 2, 1),
    )


def test_since_restarts_the_day_after_an_own_branch_was_dissolved(unit):
    staff_members(unit, 3, dt.date(2023, 1, 1))
    po = party_org(host=unit, on=dt.date(2023, 2, 1))
    po.dissolved_on = dt.date(2024, 5, 1)
    po.save()
    (row,) = missing_party_organizations(ON)
    assert row.since == dt.date(2024, 5, 1)


def test_the_detector_is_registered_and_records_one_fact_however_often_it_runs(unit):
    staff_members(unit, 3, dt.date(2025, 1, 2))
    detector = dict(registry.detectors())["party_org_missing"]
    assert detector(ON, None) == 1
    assert detector(ON, None) == 1
    fact = CreditFact.objects.get()
    assert (fact.kind, fact.source, fact.source_ref, fact.arose_on) == (
        "party_org_missing",
        "party",
        f"party:missing:{unit.pk}:2025-01-02",
        dt.date(2025, 1, 2),
    )
    assert fact.summary == "从业人员中有正式党员3名（2025年1月2日报告），未建立本单位党组织"
    assert fact.resolved_on is None


def test_forming_an_own_branch_resolves_the_fact_after_commit(
    unit, cast, django_capture_on_commit_callbacks
):
    staff_members(unit, 3, dt.date(2025, 1, 2))
    assign(cast["party"], unit)
    credit_hook.detect_party_org_missing(dt.date(2025, 2, 1), None)
    with django_capture_on_commit_callbacks(execute=True):
        services.party_organization_create(
            actor=cast["party"],
            data=PartyOrganizationInput(
                name="党支部",
                tier=Tier.OWN_BRANCH,
                established_on=dt.date(2025, 3, 1),
                host_organization=unit,
                formal_members=3,
            ),
        )
    fact = CreditFact.objects.get()
    assert fact.resolved_on == dt.date(2025, 3, 1)
    assert fact.resolved_note == "已建立本单位党组织或不再符合应建条件"


def test_the_detector_resolves_facts_of_units_no_longer_missing(unit):
    staff_members(unit, 3, dt.date(2025, 1, 2))
    credit_hook.detect_party_org_missing(dt.date(2025, 2, 1), None)
    party_org(host=unit, on=dt.date(2025, 4, 1))
    assert credit_hook.detect_party_org_missing(ON, None) == 0
    assert CreditFact.objects.get().resolved_on == ON


def test_the_annual_report_summary_is_filled_from_the_party_records(unit):
    assert party_summary_for(unit, ON) is None
    staff_members(unit, 4)
    po = party_org(host=unit, formal=4)
    ins = instructor(unit)
    summary = party_summary_for(unit, ON)
    assert summary is not None
    assert summary["staff_formal_members"] == 4
    assert summary["party_organization"]["id"] == po.pk
    assert summary["party_organization"]["tier_label"] == "独立党支部"
    assert summary["instructors"] == [
        {"name": ins.person.name, "kind": "instructor", "since": "2024-01-01"}
    ]
    assert (summary["should_have_own"], summary["missing"]) == (True, False)


def test_has_party_organization_answers_for_every_id_asked(unit, regions):
    other = OrganizationFactory(community=regions["c_jfq1"])
    party_org(host=unit)
    assert has_party_organization([unit.pk, other.pk], ON) == {unit.pk: True, other.pk: False}
    assert has_party_organization([unit.pk], dt.date(2023, 12, 31)) == {unit.pk: False}
