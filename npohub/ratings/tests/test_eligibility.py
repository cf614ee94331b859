"""Rules 39–40: each gate alone makes an organisation ineligible, with its reason shown."""

from __future__ import annotations

import datetime as dt

import pytest

from npohub.credit import registry
from npohub.credit.models import CreditFact, CreditRule, Listing
from npohub.enforcement import services as enforcement
from npohub.enforcement.tests.factories import decided
from npohub.orgs.tests.factories import CommunityGroupFactory
from npohub.ratings import services
from npohub.ratings.models import Application, Grade
from npohub.supervision.models import AnnualReport

from .factories import ON, advance, clean_org, make_round, report

pytestmark = pytest.mark.django_db


def codes(org, on=ON):
    return [r["code"] for r in services.eligibility_of(org, on)]


def messages(org, on=ON):
    return [(r["code"], r["message"]) for r in services.eligibility_of(org, on)]


def test_the_seniority_check_is_registered_for_rating_only():
    assert "ratings.seniority" in dict(registry.eligibility_checks("rating"))
    assert "ratings.seniority" not in dict(registry.eligibility_checks("purchase"))


def test_a_clean_organization_registered_five_years_ago_is_eligible(regions):
    assert codes(clean_org(regions)) == []


def test_an_organization_registered_under_two_full_years_is_ineligible(regions):
    org = clean_org(regions, registration_date=dt.date(2023, 9, 2))
    assert messages(org) == [
        ("ratings.registered_under_two_years", "登记未满2个整年（登记日期2023年9月2日）")
    ]
    assert codes(org, dt.date(2025, 9, 2)) == []


def test_a_filed_community_group_is_never_rated(regions):
    group = CommunityGroupFactory(
        community=regions["c_jfq1"], registration_date=dt.date(2015, 1, 1)
    )
    [reason] = services.seniority_reasons(group, "rating", ON)
    assert (reason.code, reason.message) == (
        "ratings.not_legal_person",
        "备案的社区社会组织不参加等级评估",
    )


def test_an_organization_whose_grade_is_still_valid_is_ineligible_until_it_expires(regions):
    org = clean_org(regions)
    Grade.objects.create(
        organization=org,
        level="4A",
        awarded_on=dt.date(2021, 1, 10),
        valid_until=dt.date(2026, 1, 9),
    )
    assert messages(org) == [
        ("ratings.grade_still_valid", "已获评4A，有效期至2026年1月9日，尚未到期")
    ]
    assert codes(org, dt.date(2026, 1, 10)) == []


def test_missing_last_years_inspection_makes_it_ineligible(regions):
    org = clean_org(regions)
    AnnualReport.objects.filter(organization=org, year=2024).delete()
    assert messages(org) == [("supervision.inspection_missed", "未参加上一年度（2024年度）年检")]


def test_failing_last_years_inspection_makes_it_ineligible(regions):
    org = clean_org(regions)
    AnnualReport.objects.filter(organization=org, year=2024).update(conclusion="fail")
    assert messages(org) == [
        ("supervision.inspection_failed", "上一年度（2024年度）年检结论为不合格")
    ]


def test_two_basic_passes_in_a_row_make_it_ineligible(regions):
    org = clean_org(regions)
    AnnualReport.objects.filter(organization=org).update(conclusion="basic_pass")
    assert messages(org) == [
        ("supervision.basic_pass_twice", "连续两年（2023、2024年度）年检结论为基本合格")
    ]


def test_one_basic_pass_alone_does_not(regions):
    org = clean_org(regions)
    AnnualReport.objects.filter(organization=org, year=2024).update(conclusion="basic_pass")
    assert codes(org) == []


def test_a_penalty_in_the_last_year_makes_it_ineligible(regions, cast):
    org = clean_org(regions)
    case = decided(cast["district"], org, [{"kind": "warning"}], on=dt.date(2025, 6, 10))
    enforcement.case_transition(actor=cast["district"], case=case, transition="serve")
    enforcement.case_transition(actor=cast["district"], case=case, transition="close")
    assert codes(org) == ["enforcement.penalised_last_year"]


def test_an_open_investigation_makes_it_ineligible(regions, cast):
    org = clean_org(regions)
    case = enforcement.case_open(actor=cast["district"], organization=org, title="违规收费")
    assert messages(org) == [
        ("enforcement.under_investigation", f"正在被立案调查（{case.number}，已立案）")
    ]


def test_being_on_a_credit_list_makes_it_ineligible(regions):
    org = clean_org(regions)
    fact = CreditFact.objects.create(
        organization=org,
        kind="warning",
        category="penalty",
        arose_on=dt.date(2025, 6, 1),
        entered_on=dt.date(2025, 6, 1),
        summary="警告",
        source="test",
        source_ref="t:1",
    )
    listing = Listing.objects.create(
        organization=org,
        credit_list="abnormal",
        rule=CreditRule.objects.get(code="light_penalty"),
        reason="受到警告",
        legal_basis="《社会组织信用信息管理办法》",
        listed_on=dt.date(2025, 6, 1),
        clock_started_on=dt.date(2025, 6, 1),
    )
    listing.facts.add(fact)
    assert codes(org) == ["credit.abnormal_list"]


def test_closing_applications_records_each_reason_on_the_application(regions, cast):
    good = clean_org(regions, name="历下区合格协会")
    young = clean_org(regions, name="历下区新成立协会", registration_date=dt.date(2024, 1, 1))
    AnnualReport.objects.filter(organization=young, year=2024).update(conclusion="fail")
    round = make_round(cast["district"], regions)
    round = advance(cast["district"], round, "open_applications", today=dt.date(2025, 8, 1))
    for org in (good, young):
        services.application_submit(actor=cast["district"], round=round, organization=org)
    advance(cast["district"], round, "close_applications")
    states = dict(Application.objects.values_list("organization__name", "state"))
    assert states == {"历下区合格协会": "eligible", "历下区新成立协会": "ineligible"}
    app = Application.objects.get(organization=young)
    assert [r["message"] for r in app.eligibility_reasons] == [
        "登记未满2个整年（登记日期2024年1月1日）",
        "上一年度（2024年度）年检结论为不合格",
    ]
    assert app.eligibility_checked_on == ON


def test_report_helper_is_used_for_the_2024_report_only_once(regions):
    org = clean_org(regions)
    assert AnnualReport.objects.filter(organization=org).count() == 2
    with pytest.raises(Exception):  # noqa: B017
        report(org, 2024)
