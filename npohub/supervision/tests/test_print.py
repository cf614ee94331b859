"""The annual report's print page: open for exactly those who open the report, masked as its
page, with the conclusion once made (the 年检结论 decision)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.supervision.permissions import report_view
from npohub.supervision.tests.factories import to_state

from .test_record_view import ID, MOBILE, PHONE, report  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_report_print_page_opens_and_masks_as_the_reports_page(cast, client, report):  # noqa: F811
    opened = set()
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("supervision:report-detail", args=[report.pk]))
        printed = client.get(reverse("supervision:report-print", args=[report.pk]))
        assert printed.status_code == page.status_code, role
        if printed.status_code != 200:
            assert printed.status_code == 404, role
            continue
        opened.add(role)
        html = printed.content.decode()
        sees = report_view(user, report).sees_personal_data
        for secret in (ID, MOBILE, PHONE):
            assert (secret in html) == sees, (role, secret)
        if not sees:
            assert "110105********002X" in html, role
        assert "历下区民政局" in html and report.organization.name in html, role
        assert "2025年度工作报告" in html, role
        assert reverse("supervision:report-print", args=[report.pk]) in page.content.decode()
    assert {"district", "org_user", "street"} <= opened


def test_a_concluded_report_prints_its_conclusion_and_the_authority_signs_it(cast, client, report):  # noqa: F811
    report = to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="concluded",
        on=dt.date(2026, 3, 1),
        conclusion="basic_pass",
    )
    client.force_login(cast["district"])
    html = client.get(reverse("supervision:report-print", args=[report.pk])).content.decode()
    assert "年检结论" in html and report.get_conclusion_display() in html
    assert "2026年3月1日" in html and 'class="print-sign"' in html


def test_the_report_print_page_is_a_404_outside_the_users_scope(cast, client, report):  # noqa: F811
    client.force_login(cast["qingdao"])
    assert client.get(reverse("supervision:report-print", args=[report.pk])).status_code == 404
    client.force_login(cast["district_out"])
    assert client.get(reverse("supervision:report-print", args=[report.pk])).status_code == 404
