"""The staff and organisation pages: lists with filters and bounded queries, section forms with
htmx checks, the review form, the calendar, the dashboard, the reminder command."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from npohub.notifications.models import Notification
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.supervision.models import AnnualReport
from npohub.supervision.selectors import submission_stats
from npohub.supervision.services import report_remind_deadlines
from npohub.supervision.tests.factories import make_report, to_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast, orgs):
    return make_report(orgs["assoc"], cast["org_user"])


def _login(client, user):
    client.force_login(user)
    return client


def test_the_report_list_filters_and_keeps_its_query_count_bounded(
    client, cast, orgs, regions, django_assert_max_num_queries
):
    for _ in range(6):
        org = OrganizationFactory(community=regions["c_jfq1"], authority_region=regions["lixia"])
        make_report(org, cast["admin"], filled=False)
    make_report(orgs["assoc"], cast["org_user"], year=2024, today=dt.date(2025, 2, 1), filled=False)
    _login(client, cast["district"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supervision:report-list"), {"year": 2024})
    assert response.status_code == 200
    assert [r.year for r in response.context["page_obj"]] == [2024]
    response = client.get(
        reverse("supervision:report-list"), {"year": 2025}, HTTP_HX_REQUEST="true"
    )
    assert len(response.context["page_obj"]) == 6
    assert [t.name for t in response.templates][0] == "supervision/partials/report_table.html"


def test_an_organization_user_sees_its_report_to_start_and_starts_it(client, cast, orgs):
    _login(client, cast["org_user"])
    response = client.get(reverse("supervision:report-list"))
    year = response.context["season_year"]
    assert [o.name for o in response.context["startable"]] == ["历下区养老服务协会"]
    response = client.post(
        reverse("supervision:report-create"), {"organization": orgs["assoc"].pk, "year": year}
    )
    created = AnnualReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "supervision:report-detail", args=[created.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "平台预填，待确认" in page


def test_the_section_form_saves_and_the_htmx_check_names_the_total_field(client, cast, report):
    _login(client, cast["org_user"])
    url = reverse("supervision:report-section-check", args=[report.pk, "expenditure"])
    response = client.post(
        url,
        {
            "program_expenses": "10",
            "admin_expenses": "5",
            "wages": "0",
            "total_expenditure": "20",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "支出情况：支出合计（20.00）与各分项之和（15.00）不一致" in response.content.decode()
    report.refresh_from_db()
    assert report.data["expenditure"]["total_expenditure"] == "980.00"  # nothing saved
    response = client.post(
        reverse("supervision:report-section", args=[report.pk, "staff"]), {"full_time_staff": "9"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.data["staff"]["full_time_staff"] == 9


def test_a_bad_value_re_renders_the_section_form_with_the_field_error(client, cast, report):
    _login(client, cast["org_user"])
    response = client.post(
        reverse("supervision:report-section", args=[report.pk, "staff"]), {"full_time_staff": "x"}
    )
    assert response.status_code == 200
    assert "专职工作人员数：请输入整数" in response.content.decode()


def test_the_review_form_requires_reasons_for_a_basic_pass(client, cast, report):
    to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="submitted",
        on=dt.date(2026, 3, 1),
    )
    _login(client, cast["district"])
    url = reverse("supervision:report-review", args=[report.pk])
    response = client.post(url, {"conclusion": "basic_pass", "note": ""})
    assert response.status_code == 200
    assert "年检结论为基本合格或不合格时，须写明理由" in response.content.decode()
    report.refresh_from_db()
    assert report.state == "submitted"
    response = client.post(url, {"conclusion": "basic_pass", "note": "财务制度不健全"})
    report.refresh_from_db()
    assert (response.status_code, report.conclusion) == (302, "basic_pass")


def test_the_calendar_shows_each_kinds_dates(client, cast):
    _login(client, cast["city"])
    page = client.get(reverse("supervision:calendar"), {"year": 2025}).content.decode()
    assert "2026年3月31日" in page and "2026年5月31日" in page


def test_the_dashboard_counts_submissions_per_child_region_and_kind(
    client, cast, orgs, regions, django_assert_max_num_queries
):
    report = make_report(orgs["assoc"], cast["org_user"])
    to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="submitted",
        on=dt.date(2026, 3, 1),
    )
    _login(client, cast["city"])
    # 12 for the year's tables, 11 for the five-year rates (two a year and the conclusions),
    # 1 for the states of the year's reports: whatever the number of organisations.
    with django_assert_max_num_queries(24):
        response = client.get(reverse("supervision:dashboard"), {"year": 2025})
    stats = response.context["stats"]
    lixia = next(r for r in stats.by_region if r.code == regions["lixia"].code)
    # 历下区: the association (reported) and 历下区书法协会 (not yet).
    assert (lixia.due, lixia.submitted, lixia.on_time, lixia.rate) == (2, 1, 1, 50.0)
    association = next(r for r in stats.by_kind if r.code == "association")
    assert (association.due, association.submitted) == (3, 1)
    chart = json.loads(
        response.content.decode()
        .split('id="submission-chart-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert chart["series"][0]["name"] == "应报"


def test_the_dashboard_counts_a_report_that_reached_the_bureau_late_as_submitted_only(
    cast, orgs, regions
):
    report = make_report(orgs["assoc"], cast["org_user"])
    to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="submitted",
        on=dt.date(2026, 6, 10),
    )
    stats = submission_stats(cast["city"], 2025)
    lixia = next(r for r in stats.by_region if r.code == regions["lixia"].code)
    assert (lixia.due, lixia.submitted, lixia.on_time) == (2, 1, 0)
    assert (stats.total.due, stats.total.submitted, stats.total.on_time) == (3, 1, 0)


def test_the_published_conclusions_are_public(client, cast, report):
    to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="published",
        on=dt.date(2026, 4, 1),
    )
    page = client.get(reverse("portal:supervision-conclusions")).content.decode()
    assert "历下区养老服务协会" in page and "合格" in page


def test_reminders_go_to_organizations_that_have_not_submitted_once_a_day(cast, orgs):
    # The association is dual-managed: its next deadline is the supervisory unit's, 31 March.
    assert report_remind_deadlines(today=dt.date(2026, 3, 24)) >= 1
    notes = Notification.objects.filter(kind="supervision.deadline", recipient=cast["org_user"])
    assert [n.title for n in notes] == [
        "历下区养老服务协会：2025年度工作报告须于2026年3月31日前报送，还剩7天"
    ]
    report_remind_deadlines(today=dt.date(2026, 3, 24))
    assert notes.count() == 1
    assert report_remind_deadlines(today=dt.date(2026, 3, 25)) == 0


def test_no_reminder_once_the_report_is_submitted(cast, orgs, report):
    to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="supervisor_review",
        on=dt.date(2026, 3, 1),
    )
    report_remind_deadlines(today=dt.date(2026, 3, 24))
    assert not Notification.objects.filter(
        kind="supervision.deadline", recipient=cast["org_user"]
    ).exists()


def test_the_reminder_command_runs_for_a_date(cast, orgs, capsys):
    call_command("remind_annual_reports", "--date", "2026-03-30")
    assert "已提醒" in capsys.readouterr().out


@override_settings(SUPERVISION_POLICY={"default": {"reminder_days": [3]}})
def test_reminder_days_are_configurable(cast, orgs):
    assert report_remind_deadlines(today=dt.date(2026, 3, 24)) == 0
    assert report_remind_deadlines(today=dt.date(2026, 3, 28)) >= 1


def test_a_supervisory_reviewer_only_sees_supervised_organizations(client, cast, orgs, report):
    other = make_report(orgs["other"], cast["org_user_out"], filled=False)
    _login(client, cast["reviewer"])
    response = client.get(reverse("supervision:report-list"))
    assert [r.pk for r in response.context["page_obj"]] == [report.pk]
    assert client.get(reverse("supervision:report-detail", args=[other.pk])).status_code == 404


def test_the_missing_list_names_due_organizations_whose_report_has_not_reached_the_bureau(
    client, cast, orgs, report, django_assert_max_num_queries
):
    to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="submitted",
        on=dt.date(2026, 3, 1),
    )
    _login(client, cast["district"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("supervision:missing"), {"year": 2025})
    assert [org.name for org, _state, _label in response.context["rows"]] == ["历下区书法协会"]
    api = client.get("/api/v1/supervision/missing", {"year": 2025}).json()
    assert [r["name"] for r in api["results"]] == ["历下区书法协会"]


def test_the_detail_page_answers_in_a_bounded_number_of_queries(
    client, cast, report, django_assert_max_num_queries
):
    _login(client, cast["org_user"])
    with django_assert_max_num_queries(16):
        response = client.get(reverse("supervision:report-detail", args=[report.pk]))
    assert response.status_code == 200
    assert [m.name for m in response.context["moves"]] == ["submit"]
