"""Eligibility reasons, the rule-25 detector, the dormant criteria, closure statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from npohub.core.errors import InvalidTransition, PermissionDenied
from npohub.credit import registry
from npohub.credit.models import ContactAttempt, CreditFact
from npohub.enforcement import dormant, services
from npohub.enforcement.eligibility import investigation_reasons, penalty_reasons
from npohub.enforcement.models import DormantCandidate, PenaltyCase, Sanction
from npohub.enforcement.selectors import closure_statistics_for
from npohub.orgs.models import ManagementLevel
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.registration.models import Application

from .factories import decided, file_report

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 10)


# --- eligibility ------------------------------------------------------------------------------


def test_the_checks_are_registered_for_the_purposes():
    names = {name for name, _check in registry.eligibility_checks("rating")}
    assert {"enforcement.penalties", "enforcement.investigation"} <= names
    assert "enforcement.penalties" not in {
        n for n, _c in registry.eligibility_checks("needs_market")
    }
    assert (
        "enforcement.missing_reports",
        services.missing_reports_detector,
    ) in registry.detectors()


def test_an_open_case_means_under_investigation(cast, orgs):
    case = services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    [reason] = investigation_reasons(orgs["assoc"], "rating", ON)
    assert (reason.code, reason.message, reason.ref) == (
        "enforcement.under_investigation",
        f"正在被立案调查（{case.number}，已立案）",
        case.number,
    )
    assert penalty_reasons(orgs["assoc"], "rating", ON) == []


def test_a_decided_penalty_not_carried_out_and_within_a_year(cast, orgs):
    case = decided(cast["district"], orgs["assoc"], [{"kind": "warning"}], on=ON)
    reasons = penalty_reasons(orgs["assoc"], "purchase", dt.date(2025, 7, 1))
    assert [(r.code, r.message) for r in reasons] == [
        ("enforcement.penalty_not_carried_out", f"有尚未执行完毕的行政处罚（{case.number}号）"),
        (
            "enforcement.penalised_last_year",
            f"近一年内受到行政处罚（{case.number}号，2025年6月10日）",
        ),
    ]
    services.case_transition(actor=cast["district"], case=case, transition="serve", today=ON)
    services.case_transition(actor=cast["district"], case=case, transition="close", today=ON)
    assert [r.code for r in penalty_reasons(orgs["assoc"], "award", dt.date(2026, 6, 9))] == [
        "enforcement.penalised_last_year"
    ]
    assert penalty_reasons(orgs["assoc"], "award", dt.date(2026, 6, 10)) == []
    assert investigation_reasons(orgs["assoc"], "award", ON) == []


# --- rule 25 ----------------------------------------------------------------------------------


def _org(regions, **extra):
    values = {"community": regions["c_jfq1"], "authority_region": regions["lixia"]}
    values.update(extra)
    return OrganizationFactory(**values)


def test_jinan_proposes_revocation_after_three_years_without_a_report(cast, orgs, regions):
    silent = _org(regions, name="历下区沉默协会")
    two_years = _org(regions, name="历下区两年未报协会")
    file_report(two_years, 2022, cast["district"])
    for org in (orgs["assoc"], orgs["other"], orgs["far"]):
        for year in (2022, 2023, 2024):
            file_report(org, year, cast["district"])
    found = services.case_propose_missing_reports(actor=None, on=ON, region_prefix="3701")
    assert [c.organization for c in found] == [silent]
    case = found[0]
    assert (case.state, case.source, case.source_ref) == (
        "proposed",
        "missing_reports",
        "missing-reports:2022-2024",
    )
    assert case.title == "连续 3 年未报送年度工作报告（2022–2024）"
    assert list(case.sanctions.values_list("kind", flat=True)) == ["revocation"]
    # Running again finds the same proposal, creates nothing.
    assert services.missing_reports_detector(ON, None) >= 1
    assert PenaltyCase.objects.filter(organization=silent).count() == 1


@pytest.mark.parametrize("silent", [2, 4])
def test_running_again_reads_the_same_queries_however_many_proposals_exist(
    cast, orgs, regions, silent, django_assert_num_queries
):
    file_report(orgs["assoc"], 2022, cast["district"])  # the platform holds reports from 2022
    for n in range(silent):
        _org(regions, name=f"历下区沉默协会{n}")
    first = services.case_propose_missing_reports(actor=None, on=ON, region_prefix="3701")
    assert len(first) >= silent
    # savepoint pair, orgs, the platform's first report year, reports, revocations, cases
    with django_assert_num_queries(7):
        again = services.case_propose_missing_reports(actor=None, on=ON, region_prefix="3701")
    assert [c.pk for c in again] == [c.pk for c in first]
    assert PenaltyCase.objects.count() == len(first)


@override_settings(ENFORCEMENT_POLICY={"3701": {"revocation_missing_report_years": 2}})
def test_the_threshold_is_configurable(cast, orgs, regions):
    two_years = _org(regions, name="历下区两年未报协会")
    file_report(two_years, 2022, cast["district"])
    for org in (orgs["assoc"], orgs["other"], orgs["far"]):
        file_report(org, 2024, cast["district"])
    found = services.case_propose_missing_reports(actor=None, on=ON, region_prefix="3701")
    assert [c.organization for c in found] == [two_years]
    assert found[0].source_ref == "missing-reports:2023-2024"


def test_a_bureau_runs_the_detector_only_for_its_region(cast, orgs, regions):
    file_report(orgs["assoc"], 2022, cast["district"])  # the platform holds reports from 2022
    with pytest.raises(PermissionDenied):
        services.case_propose_missing_reports(actor=cast["street"], on=ON)
    found = services.case_propose_missing_reports(actor=cast["district_out"], on=ON)
    assert {c.organization for c in found} == {orgs["far"]}


def test_years_before_the_platforms_first_report_year_are_not_missing_years(cast, orgs, regions):
    """Issue 13: on 2026-05-31 the detector proposed revocations for "连续 3 年未报送
    （2022–2024）" while the platform held reports from 2025 only."""
    for org in (orgs["assoc"], orgs["other"], orgs["far"]):
        file_report(org, 2025, cast["district"])
    silent = _org(regions, name="历下区沉默协会", registration_date=dt.date(2010, 5, 1))

    found = services.case_propose_missing_reports(
        actor=None, on=dt.date(2026, 5, 31), region_prefix="3701"
    )

    assert found == []
    assert not PenaltyCase.objects.filter(organization=silent).exists()
    assert services.missing_reports_detector(dt.date(2026, 5, 31), None) == 0


def test_nothing_is_missing_while_the_platform_holds_no_report_at_all(cast, orgs, regions):
    _org(regions, name="历下区沉默协会", registration_date=dt.date(2010, 5, 1))
    assert services.case_propose_missing_reports(actor=None, on=ON, region_prefix="3701") == []
    assert not PenaltyCase.objects.exists()


@override_settings(SUPERVISION_POLICY={"default": {"first_report_year": 2022}})
def test_the_platforms_first_report_year_is_configurable(cast, orgs, regions):
    for org in (orgs["assoc"], orgs["other"], orgs["far"]):
        file_report(org, 2024, cast["district"])
    silent = _org(regions, name="历下区沉默协会", registration_date=dt.date(2010, 5, 1))

    found = services.case_propose_missing_reports(actor=None, on=ON, region_prefix="3701")

    assert [(c.organization, c.source_ref) for c in found] == [
        (silent, "missing-reports:2022-2024")
    ]


def test_years_before_the_organisations_registration_are_not_missing_years(cast, orgs, regions):
    file_report(orgs["assoc"], 2020, cast["district"])  # the platform holds reports from 2020
    young = _org(regions, name="历下区新设协会", registration_date=dt.date(2023, 3, 1))
    old = _org(regions, name="历下区沉默协会", registration_date=dt.date(2010, 5, 1))

    found = services.case_propose_missing_reports(actor=None, on=ON, region_prefix="3701")

    assert young not in {c.organization for c in found}
    assert old in {c.organization for c in found}


def test_a_proposal_for_years_the_platform_holds_no_report_for_is_withdrawn(cast, orgs, regions):
    """Proposals the old detector made for years before the platform's data are dropped by the
    system on the next run, with the reason in the history; one already filed is left alone."""
    from npohub.core.models import AuditEvent
    from npohub.core.workflows import history_for
    from npohub.enforcement.services.missing_reports import _propose_revocation

    for org in (orgs["assoc"], orgs["other"], orgs["far"]):
        file_report(org, 2025, cast["district"])
    silent = _org(regions, name="历下区沉默协会", registration_date=dt.date(2010, 5, 1))
    filed_one = _org(regions, name="历下区已立案协会", registration_date=dt.date(2010, 5, 1))
    on = dt.date(2026, 5, 31)
    wrong = _propose_revocation(
        org=silent, years=[2022, 2023, 2024], ref="missing-reports:2022-2024", actor=None, on=on
    )
    kept = _propose_revocation(
        org=filed_one, years=[2022, 2023, 2024], ref="missing-reports:2022-2024", actor=None, on=on
    )
    services.case_transition(actor=cast["district"], case=kept, transition="file", today=on)

    found = services.case_propose_missing_reports(actor=None, on=on, region_prefix="3701")

    assert found == []
    wrong.refresh_from_db()
    kept.refresh_from_db()
    assert (wrong.state, wrong.closed_on) == ("dropped", on)
    assert kept.state == "filed"
    last = history_for(services.CASE_WORKFLOW, wrong)[-1]
    assert (last.move_label, last.from_label, last.to_label, last.actor_display) == (
        "撤回拟立案",
        "拟立案",
        "不予立案/不予处罚",
        "系统",
    )
    assert last.note == (
        "平台自 2025 年度起才有年度报告数据，2022–2024 年度不能全部认定为未报送，撤回拟立案。"
    )
    assert wrong.decision_note == last.note
    assert AuditEvent.objects.filter(kind="enforcement.case_withdraw").count() == 1
    # Running again changes nothing more.
    services.case_propose_missing_reports(actor=None, on=on, region_prefix="3701")
    assert AuditEvent.objects.filter(kind="enforcement.case_withdraw").count() == 1


# --- dormant criteria (rule 45) ---------------------------------------------------------------

CRITERIA = dormant.Criteria(
    report_years=(2023, 2024),
    no_activity_since=dt.date(2023, 1, 1),
    first_activity_days=365,
    on=ON,
)


def _evidence(org, day, user):
    from django.utils import timezone

    from npohub.enforcement.models import ActivityEvidence

    ActivityEvidence.objects.create(
        organization=org,
        occurred_on=day,
        description="开展活动",
        recorded_by=user,
        recorded_at=timezone.now(),
    )


def test_each_dormant_criterion_alone(cast, regions):
    user = cast["district"]
    reg = dt.date(2020, 5, 1)
    no_reports = _org(regions, registration_date=reg)
    _evidence(no_reports, dt.date(2020, 6, 1), user)
    _evidence(no_reports, dt.date(2024, 6, 1), user)
    late_start = _org(regions, registration_date=dt.date(2023, 3, 1))
    _evidence(late_start, dt.date(2024, 8, 1), user)
    idle = _org(regions, registration_date=reg)
    _evidence(idle, dt.date(2020, 6, 1), user)
    unreachable = _org(regions, registration_date=reg)
    _evidence(unreachable, dt.date(2020, 6, 1), user)
    _evidence(unreachable, dt.date(2024, 6, 1), user)
    lively = _org(regions, registration_date=reg)
    _evidence(lively, dt.date(2020, 6, 1), user)
    _evidence(lively, dt.date(2024, 6, 1), user)
    for org in (late_start, idle, unreachable, lively):
        file_report(org, 2023, user)
        file_report(org, 2024, user)
    CreditFact.objects.create(
        organization=unreachable,
        kind="cannot_contact",
        category="inspection",
        arose_on=ON,
        entered_on=ON,
        summary="两次挂号信未签收",
        source="credit",
        source_ref="t",
    )
    found = dormant.dormant_criteria([no_reports, late_start, idle, unreachable, lively], CRITERIA)
    assert {org_id: codes for org_id, (codes, _d) in found.items()} == {
        no_reports.pk: ["no_annual_report"],
        late_start.pk: ["no_first_year_activity"],
        idle.pk: ["no_activity_since"],
        unreachable.pk: ["cannot_contact"],
    }


def test_years_before_the_platforms_first_report_year_are_not_missed_years_of_a_dormant_org(
    cast, orgs, regions
):
    """The criterion 连续两年未参加年检 flagged organisations for 2023–2024 while the platform
    held annual reports from 2024 only (the mistake the rule-25 proposals had)."""
    silent = _org(regions, name="历下区沉默协会", registration_date=dt.date(2010, 5, 1))
    _evidence(silent, dt.date(2010, 6, 1), cast["district"])
    _evidence(silent, dt.date(2024, 6, 1), cast["district"])

    def flagged() -> bool:
        found = dormant.dormant_criteria([silent], CRITERIA)
        return "no_annual_report" in found.get(silent.pk, ([], {}))[0]

    assert not flagged()  # no report held at all
    file_report(orgs["assoc"], 2024, cast["district"])
    assert not flagged()  # reports from 2024 on: 2023 is not a missed year
    file_report(orgs["other"], 2023, cast["district"])
    assert flagged()  # reports from 2023 on: both years missed
    with override_settings(SUPERVISION_POLICY={"default": {"first_report_year": 2024}}):
        assert not flagged()  # the configured first year wins over the reports held


def test_two_unsigned_letters_make_a_candidate_cannot_be_contacted(cast, regions):
    org = _org(regions, registration_date=dt.date(2020, 5, 1))
    campaign = dormant.campaign_create(
        actor=cast["district"],
        name="2025年僵尸型社会组织清理",
        region=regions["lixia"],
        started_on=ON,
        report_years=[2023, 2024],
        no_activity_since=dt.date(2023, 1, 1),
    )
    assert dormant.campaign_scan(actor=cast["district"], campaign=campaign, today=ON) == 1
    candidate = DormantCandidate.objects.get(organization=org)
    # The platform holds no annual report at all: "no annual report" is not among the criteria.
    assert candidate.criteria == ["no_first_year_activity", "no_activity_since"]
    dormant.candidate_contact_record(
        actor=cast["district"], candidate=candidate, sent_on=dt.date(2025, 4, 1), signed=False
    )
    assert not CreditFact.objects.filter(kind="cannot_contact").exists()
    dormant.candidate_contact_record(
        actor=cast["district"], candidate=candidate, sent_on=dt.date(2025, 5, 1), signed=False
    )
    candidate.refresh_from_db()
    assert candidate.criteria[-1] == "cannot_contact"
    assert CreditFact.objects.get(kind="cannot_contact").organization == org
    assert ContactAttempt.objects.filter(organization=org, signed=False).count() == 2


def test_outcomes_rectify_deregister_and_revoke(cast, regions):
    district = cast["district"]
    orgs = [_org(regions, registration_date=dt.date(2020, 5, 1)) for _i in range(3)]
    campaign = dormant.campaign_create(
        actor=district, name="清理", region=regions["lixia"], started_on=ON, report_years=[2024]
    )
    dormant.campaign_scan(actor=district, campaign=campaign, today=ON)
    a, b, c = (DormantCandidate.objects.get(organization=o) for o in orgs)
    dormant.candidate_outcome_set(
        actor=district, candidate=a, outcome="rectified", note="已恢复活动"
    )
    dormant.candidate_outcome_set(
        actor=district, candidate=b, outcome="deregistered", note="自愿注销"
    )
    dormant.candidate_outcome_set(actor=district, candidate=c, outcome="revoked", note="无法联系")
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.deregistration is not None
    assert (b.deregistration.kind, b.deregistration.state) == ("deregistration", "draft")
    assert Application.objects.filter(kind="deregistration").count() == 1
    assert (c.penalty_case.state, c.penalty_case.source) == ("filed", "dormant")
    assert list(Sanction.objects.filter(case=c.penalty_case).values_list("kind", flat=True)) == [
        "revocation"
    ]
    with pytest.raises(InvalidTransition) as exc:
        dormant.candidate_outcome_set(actor=district, candidate=a, outcome="revoked", note="x")
    assert exc.value.message == "该组织已处置（整改激活）"


def test_a_campaign_outside_ones_region_is_refused(cast, regions):
    with pytest.raises(PermissionDenied) as exc:
        dormant.campaign_create(actor=cast["district_out"], name="清理", region=regions["lixia"])
    assert exc.value.message == "行动范围不在您的辖区内"


# --- statistics -------------------------------------------------------------------------------


def test_closure_statistics_by_management_level(cast, regions):
    from npohub.orgs.services import organization_change_status

    since = dt.date(2024, 1, 1)
    city = cast["city"]
    made = {
        ("city", "deregistered", dt.date(2024, 3, 1)): 2,
        ("city", "revoked", dt.date(2024, 5, 1)): 1,
        ("county", "revoked", dt.date(2025, 1, 1)): 3,
        ("county", "deregistered", dt.date(2023, 12, 31)): 1,  # before the date
    }
    for (level, status, day), n in made.items():
        for _i in range(n):
            org = _org(regions, management_level=level)
            organization_change_status(
                actor=city, org=org, status=status, reason="测试", effective_on=day
            )
    rows = {r.level: r for r in closure_statistics_for(city, since=since)}
    assert (rows["city"].deregistered, rows["city"].revoked) == (2, 1)
    assert (rows["county"].deregistered, rows["county"].revoked) == (0, 3)
    assert rows[ManagementLevel.STREET].total == 0
    assert [r.total for r in closure_statistics_for(cast["qingdao"], since=since)] == [0] * 5


def test_missing_years_follow_the_annual_report_calendar_of_each_kind(cast, orgs, regions):
    """Foundations report by 31 March (rule 21), associations by 31 May: on 10 April 2025 the
    foundation's 2024 report is already missing, the association's not yet."""
    for org in (orgs["assoc"], orgs["other"], orgs["far"]):
        for year in (2021, 2022, 2023, 2024):
            file_report(org, year, cast["district"])
    foundation = _org(regions, name="历下区沉默基金会", kind="foundation", uscc="")
    association = _org(regions, name="历下区沉默协会")
    for org in (foundation, association):
        file_report(org, 2021, cast["district"])

    found = services.case_propose_missing_reports(
        actor=None, on=dt.date(2025, 4, 10), region_prefix="3701"
    )

    refs = {c.organization_id: c.source_ref for c in found}
    assert refs == {foundation.pk: "missing-reports:2022-2024"}
    assert association.pk not in refs
