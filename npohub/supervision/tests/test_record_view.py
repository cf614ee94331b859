"""One view of an annual report: the page and the API mask the officers' ID numbers and the
phones the same way for every role (``permissions.report_view``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from npohub.supervision.permissions import report_view
from npohub.supervision.tests.factories import fill, make_report, to_state

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
MOBILE = "13912345678"
PHONE = "13812345678"


@pytest.fixture
def report(cast, orgs):
    """A dual-managed report whose officers' lines carry an ID number and a mobile number."""
    report = make_report(orgs["assoc"], cast["org_user"], filled=False)
    return fill(
        report,
        cast["org_user"],
        basic={"contact_phone": PHONE},
        governance={"officers": f"会长：张三（身份证号{ID}，电话{MOBILE}）"},
    )


def test_every_role_sees_the_same_masking_on_the_page_and_in_the_api(cast, client, report):
    masked_roles, unmasked_roles = set(), set()
    for role, user in cast.items():
        client.force_login(user)
        page = client.get(reverse("supervision:report-detail", args=[report.pk]))
        api = client.get(f"/api/v1/supervision/reports/{report.pk}")
        assert (page.status_code == 200) == (api.status_code == 200), role
        if api.status_code != 200:
            continue
        body = api.json()
        masked = body["personal_data_masked"]
        assert masked == (not report_view(user, report).sees_personal_data), role
        html = page.content.decode()
        for secret in (ID, MOBILE, PHONE):
            assert (secret in html) == (not masked), (role, secret)
            assert (secret in str(body["sections"])) == (not masked), (role, secret)
        if masked:
            assert "110105********002X" in html and "110105********002X" in str(body), role
            assert "139****5678" in html and "139****5678" in str(body), role
        (masked_roles if masked else unmasked_roles).add(role)
    # Whoever acts on the report reads it whole; the others that may see it read it masked.
    assert {"admin", "city", "district", "org_user", "reviewer"} <= unmasked_roles
    assert {"street", "community", "hub"} <= masked_roles


def test_the_review_page_shows_the_bureau_the_report_unmasked(cast, client, report):
    report = to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="submitted",
        on=dt.date(2026, 3, 1),
    )
    client.force_login(cast["district"])
    page = client.get(reverse("supervision:report-review", args=[report.pk]))
    assert page.status_code == 200
    assert ID in page.content.decode() and PHONE in page.content.decode()


def test_only_the_organisation_may_edit_and_only_the_bureau_may_review(cast, report):
    assert report_view(cast["org_user"], report).editable
    assert report_view(cast["org_user"], report).may_attach
    for role in ("district", "reviewer", "street", "hub"):
        assert not report_view(cast[role], report).editable, role
    assert report_view(cast["district"], report).may_review
    assert not report_view(cast["district"], report).may_conclude  # not submitted yet
    assert not report_view(cast["reviewer"], report).may_review
