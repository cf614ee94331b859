"""Credit: the late-report detector (rule 24), its resolution, and the eligibility checks
(PG39 art. 7); the issue's end-to-end path from a missed deadline to credit repair."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from npohub.credit import registry
from npohub.credit.eligibility import is_eligible
from npohub.credit.models import CreditFact
from npohub.credit.selectors import listings_as_of
from npohub.credit.services import credit_evaluate, credit_request_file, credit_request_transition
from npohub.orgs.tests.factories import OrganizationFactory, grant
from npohub.supervision import services
from npohub.supervision.tests.factories import make_report, to_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("first_year_2023")]


@pytest.fixture
def direct(cast, regions):
    """A directly registered association (files straight with the bureau) owned by org_user."""
    org = OrganizationFactory(
        name="历下区助老志愿服务协会",
        community=regions["c_jfq1"],
        authority_region=regions["lixia"],
        supervisory_unit="",
    )
    grant(cast["org_user"], org, "own")
    return org


def _file(org, cast, year, on, conclusion="pass", state="submitted"):
    report = make_report(org, cast["org_user"], year=year, today=on)
    return to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state=state,
        on=on,
        conclusion=conclusion,
    )


def test_the_detector_is_registered_with_the_credit_engine():
    assert "annual_report_late" in dict(registry.detectors())
    names = [name for name, _check in registry.eligibility_checks("rating")]
    assert {
        "supervision.inspection_missed",
        "supervision.inspection_failed",
        "supervision.basic_pass_twice",
    } <= set(names)


def test_a_report_missing_at_the_deadline_is_a_credit_fact_from_the_next_day_and_only_once(direct):
    assert services.detect_late_reports(dt.date(2024, 5, 31)) == 0
    services.detect_late_reports(dt.date(2024, 6, 1))
    services.detect_late_reports(dt.date(2024, 6, 2))
    fact = CreditFact.objects.get(organization=direct, kind="annual_report_late")
    assert (fact.arose_on, fact.source_ref, fact.resolved_on) == (
        dt.date(2024, 6, 1),
        f"annual_report:2023:{direct.pk}",
        None,
    )
    assert fact.summary == "未在2024年5月31日前向登记管理机关报送2023年度工作报告"


def test_an_on_time_report_leaves_no_fact(direct, cast):
    _file(direct, cast, 2023, dt.date(2024, 5, 31))
    services.detect_late_reports(dt.date(2024, 6, 1))
    assert not CreditFact.objects.filter(
        organization=direct, source_ref=f"annual_report:2023:{direct.pk}"
    ).exists()


def test_a_late_report_resolves_the_fact_on_the_day_it_reaches_the_bureau(direct, cast):
    services.detect_late_reports(dt.date(2024, 6, 1))
    _file(direct, cast, 2023, dt.date(2024, 7, 10))
    fact = CreditFact.objects.get(organization=direct, source_ref=f"annual_report:2023:{direct.pk}")
    assert (fact.resolved_on, fact.resolved_note) == (
        dt.date(2024, 7, 10),
        "已于2024年7月10日补报2023年度工作报告",
    )


def test_a_late_report_filed_before_the_detector_ran_is_recorded_and_resolved(direct, cast):
    _file(direct, cast, 2023, dt.date(2024, 7, 10))
    services.detect_late_reports(dt.date(2024, 8, 1))
    fact = CreditFact.objects.get(organization=direct, source_ref=f"annual_report:2023:{direct.pk}")
    assert (fact.arose_on, fact.resolved_on) == (dt.date(2024, 6, 1), dt.date(2024, 7, 10))


def _reasons(org, on, purpose="rating"):
    return [
        (r.code, r.message)
        for r in is_eligible(org, purpose, on=on).reasons
        if r.source == "supervision"
    ]


def test_an_organization_that_missed_last_years_inspection_is_not_eligible(direct):
    assert _reasons(direct, dt.date(2024, 9, 1)) == [
        ("supervision.inspection_missed", "未参加上一年度（2023年度）年检")
    ]
    # Before the 2023 deadline the judged year is 2022, which the platform does not judge.
    assert _reasons(direct, dt.date(2024, 5, 1)) == []


def test_last_years_fail_bars_rating_star_rating_and_awards(direct, cast):
    _file(direct, cast, 2023, dt.date(2024, 4, 1), conclusion="fail", state="concluded")
    for purpose in ("rating", "star_rating", "award"):
        assert _reasons(direct, dt.date(2024, 9, 1), purpose) == [
            ("supervision.inspection_failed", "上一年度（2023年度）年检结论为不合格")
        ]
    assert _reasons(direct, dt.date(2024, 9, 1), "purchase") == []


def test_two_consecutive_basic_passes_bar_rating(direct, cast):
    _file(direct, cast, 2023, dt.date(2024, 4, 1), conclusion="basic_pass", state="concluded")
    assert _reasons(direct, dt.date(2024, 9, 1)) == []
    _file(direct, cast, 2024, dt.date(2025, 4, 1), conclusion="basic_pass", state="concluded")
    assert _reasons(direct, dt.date(2025, 9, 1)) == [
        ("supervision.basic_pass_twice", "连续两年（2023、2024年度）年检结论为基本合格")
    ]


def test_a_fail_conclusion_records_a_noncompliant_report_fact(direct, cast):
    _file(direct, cast, 2023, dt.date(2024, 4, 1), conclusion="fail", state="concluded")
    fact = CreditFact.objects.get(organization=direct, kind="annual_report_noncompliant")
    assert (fact.arose_on, fact.source_ref) == (
        dt.date(2024, 4, 1),
        f"annual_report_fail:2023:{direct.pk}",
    )


def _lists(org, on):
    return sorted(listing.credit_list for listing in listings_as_of(org, on))


def _public(client, name):
    return {
        lst: name in client.get(reverse(f"portal:credit-{lst}")).content.decode()
        for lst in ("abnormal", "serious")
    }


def _profile(client, org):
    """The credit section of the organisation's public profile page, as plain text lines."""
    html = client.get(reverse("portal:organization", args=[org.pk])).content.decode()
    section = html[
        html.index('id="credit-status"') : html.index(
            "</section>", html.index('id="credit-status"')
        )
    ]
    text = re.sub(r"<[^>]+>", "\n", section)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()][1:]


LATE = "未在2024年5月31日前向登记管理机关报送2023年度工作报告"


def test_end_to_end_missed_deadline_abnormal_serious_objection_and_repair(
    direct, cast, client, monkeypatch
):
    """An organisation misses 31 May → on the abnormal list the next day → two full years later
    on the serious list → objection → repair; each step visible on its public page."""

    def clock(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    # It files every later year on time, so only the 2023 report is missing.
    for year in (2024, 2025, 2026, 2027):
        _file(direct, cast, year, dt.date(year + 1, 4, 1))
    name = direct.name

    clock(dt.date(2024, 5, 31))
    credit_evaluate(on=dt.date(2024, 5, 31))
    assert _lists(direct, dt.date(2024, 5, 31)) == []
    assert _public(client, name) == {"abnormal": False, "serious": False}
    assert _profile(client, direct) == ["信用状况", "未被列入活动异常名录或严重违法失信名单。"]

    clock(dt.date(2024, 6, 1))
    credit_evaluate(on=dt.date(2024, 6, 1))
    assert _lists(direct, dt.date(2024, 6, 1)) == ["abnormal"]
    assert _public(client, name) == {"abnormal": True, "serious": False}
    abnormal = listings_as_of(direct, dt.date(2024, 6, 1)).get()
    abnormal_line = (
        f"已于2024年6月1日被列入活动异常名录：{abnormal.reason}（{abnormal.legal_basis}）"
    )
    assert LATE in abnormal.reason
    assert _profile(client, direct) == ["信用状况", abnormal_line]

    clock(dt.date(2026, 5, 31))
    credit_evaluate(on=dt.date(2026, 5, 31))
    assert _lists(direct, dt.date(2026, 5, 31)) == ["abnormal"]
    assert _profile(client, direct) == ["信用状况", abnormal_line]

    clock(dt.date(2026, 6, 1))
    credit_evaluate(on=dt.date(2026, 6, 1))
    assert _lists(direct, dt.date(2026, 6, 1)) == ["serious"]
    assert _public(client, name) == {"abnormal": False, "serious": True}
    serious = listings_as_of(direct, dt.date(2026, 6, 1)).get()
    abnormal.refresh_from_db()
    assert (serious.escalated_from, abnormal.removed_on) == (abnormal, dt.date(2026, 6, 1))
    serious_lines = [
        "信用状况",
        f"已于2026年6月1日被列入严重违法失信名单：{serious.reason}（{serious.legal_basis}）",
        "由活动异常名录转入（原列入日期2024年6月1日）",
    ]
    history = [
        "历史列入记录",
        f"活动异常名录：2024年6月1日 列入，2026年6月1日 移出（{abnormal.removal_reason}）",
    ]
    assert _profile(client, direct) == serious_lines + history

    # Objection: the organisation says the listing is wrong; the bureau finds it is not.
    clock(dt.date(2026, 6, 10))
    objection = credit_request_file(
        actor=cast["org_user"], listing=serious, kind="objection", reasons="已报送过年报"
    )
    assert _profile(client, direct) == [
        *serious_lines,
        "异议（2026年6月10日提出）：待处理",
        *history,
    ]
    clock(dt.date(2026, 6, 12))
    credit_request_transition(
        actor=cast["district"], request=objection, transition="reject", note="系统无报送记录"
    )
    assert _public(client, name) == {"abnormal": False, "serious": True}
    objection_line = "异议（2026年6月10日提出）：不予支持（2026年6月12日）"
    assert _profile(client, direct) == [*serious_lines, objection_line, *history]

    # The organisation files the missing report late: the obligation is fulfilled.
    late = make_report(direct, cast["org_user"], year=2023, today=dt.date(2026, 6, 15))
    services.report_transition(
        actor=cast["org_user"], report=late, transition="submit", today=dt.date(2026, 6, 15)
    )
    assert CreditFact.objects.get(
        source_ref=f"annual_report:2023:{direct.pk}"
    ).resolved_on == dt.date(2026, 6, 15)

    # Repair: refused before two clean years on the serious list, granted after.
    clock(dt.date(2027, 6, 1))
    with pytest.raises(Exception) as refused:
        credit_request_file(
            actor=cast["org_user"], listing=serious, kind="repair", reasons="已补报并整改"
        )
    assert getattr(refused.value, "code", "") == "credit.repair_not_allowed"
    assert _profile(client, direct) == [*serious_lines, objection_line, *history]

    clock(dt.date(2028, 6, 2))
    credit_evaluate(on=dt.date(2028, 6, 2))
    repair = credit_request_file(
        actor=cast["org_user"], listing=serious, kind="repair", reasons="已补报并整改"
    )
    credit_request_transition(
        actor=cast["district"], request=repair, transition="approve", note="核实已整改"
    )
    serious.refresh_from_db()
    assert serious.removal_due_on == dt.date(2028, 6, 9)  # 5 working days after 2 June 2028
    assert _profile(client, direct) == [
        *serious_lines,
        objection_line,
        "信用修复（2028年6月2日提出）：准予修复（2028年6月2日）",
        "已核实整改，定于2028年6月9日移出",
        *history,
    ]
    clock(serious.removal_due_on)
    credit_evaluate(on=serious.removal_due_on)
    assert _lists(direct, serious.removal_due_on) == []
    assert _public(client, name) == {"abnormal": False, "serious": False}
    serious.refresh_from_db()
    assert _profile(client, direct) == [
        "信用状况",
        "未被列入活动异常名录或严重违法失信名单。",
        "历史列入记录",
        f"严重违法失信名单：2026年6月1日 列入，2028年6月9日 移出（{serious.removal_reason}）",
        history[1],
    ]


def test_the_inspection_gates_pass_over_a_filed_community_group(regions):
    """Filed groups file no annual report: the gates have nothing to say (and must not fail)."""
    from npohub.orgs.tests.factories import CommunityGroupFactory

    group = CommunityGroupFactory(community=regions["c_jfq1"])
    on = dt.date(2026, 7, 1)

    assert services.check_missed_inspection(group, "rating", on) == []
    assert services.check_failed_inspection(group, "rating", on) == []
    assert services.check_basic_pass_twice(group, "rating", on) == []
