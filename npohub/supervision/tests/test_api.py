"""/api/v1/supervision/: every action, the error envelope, bounded list queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from npohub.supervision.models import AnnualReport
from npohub.supervision.services import report_transition
from npohub.supervision.tests.factories import VALID, make_report, to_state

pytestmark = pytest.mark.django_db
API = "/api/v1/supervision"


def session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


def test_an_organization_creates_fills_and_submits_its_report_over_the_api(cast, orgs):
    client = session(cast["org_user"])
    response = _json(
        client, "post", f"{API}/reports", {"organization_id": orgs["assoc"].pk, "year": 2025}
    )
    assert response.status_code == 201
    body = response.json()
    basic = next(s for s in body["sections"] if s["code"] == "basic")
    name = next(f for f in basic["fields"] if f["code"] == "org_name")
    assert (name["value"], name["prefilled_from"], name["confirmed"]) == (
        "历下区养老服务协会",
        "登记信息",
        False,
    )
    report_id = body["id"]
    for section in body["sections"]:
        response = _json(
            client,
            "put",
            f"{API}/reports/{report_id}/sections/{section['code']}",
            {"values": VALID[section["code"]]},
        )
        assert response.status_code == 200, response.json()
    assert client.get(f"{API}/reports/{report_id}/problems").json() == []
    response = _json(
        client, "post", f"{API}/reports/{report_id}/transitions", {"transition": "submit"}
    )
    assert (response.status_code, response.json()["state"]) == (200, "supervisor_review")


def test_an_invalid_total_is_reported_with_section_and_field_in_the_envelope(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    client = session(cast["org_user"])
    _json(
        client,
        "put",
        f"{API}/reports/{report.pk}/sections/expenditure",
        {"values": {**VALID["expenditure"], "total_expenditure": "1"}},
    )
    response = _json(
        client, "post", f"{API}/reports/{report.pk}/transitions", {"transition": "submit"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "supervision.report_invalid",
        "message": "年度报告有1处需要修改：支出情况：支出合计（1.00）与各分项之和（980.00）不一致",
        "details": [
            {
                "section": "expenditure",
                "field": "total_expenditure",
                "message": "支出情况：支出合计（1.00）与各分项之和（980.00）不一致",
            }
        ],
    }
    assert AnnualReport.objects.get().state == "draft"


def test_a_conclusion_without_reasons_is_refused_and_nothing_changes(cast, orgs):
    report = to_state(
        make_report(orgs["assoc"], cast["org_user"]),
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="submitted",
        on=dt.date(2026, 3, 1),
    )
    client = session(cast["district"])
    response = _json(
        client, "post", f"{API}/reports/{report.pk}/conclusion", {"conclusion": "fail"}
    )
    assert (response.status_code, response.json()["code"], response.json()["message"]) == (
        422,
        "validation_failed",
        "年检结论为基本合格或不合格时，须写明理由",
    )
    report.refresh_from_db()
    assert (report.state, report.conclusion) == ("submitted", "")
    response = _json(
        client,
        "post",
        f"{API}/reports/{report.pk}/conclusion",
        {"conclusion": "fail", "reasons": "拒不接受检查"},
    )
    assert (response.json()["conclusion"], response.json()["conclusion_label"]) == (
        "fail",
        "不合格",
    )


def test_the_org_user_cannot_conclude_its_own_report(cast, orgs):
    report = to_state(
        make_report(orgs["assoc"], cast["org_user"]),
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="submitted",
        on=dt.date(2026, 3, 1),
    )
    response = _json(
        session(cast["org_user"]),
        "post",
        f"{API}/reports/{report.pk}/conclusion",
        {"conclusion": "pass"},
    )
    assert (response.status_code, response.json()["message"]) == (
        403,
        "只有辖区登记管理机关可以执行此操作",
    )
    report.refresh_from_db()
    assert report.state == "submitted"


def test_the_report_list_answers_in_a_bounded_number_of_queries(
    cast, orgs, regions, django_assert_max_num_queries
):
    from npohub.orgs.tests.factories import OrganizationFactory

    for _ in range(5):
        make_report(
            OrganizationFactory(community=regions["c_jfq1"], authority_region=regions["lixia"]),
            cast["admin"],
            filled=False,
        )
    client = session(cast["district"])
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/reports", {"year": 2025})
    assert response.json()["count"] == 5


def test_calendar_and_stats(cast, orgs):
    client = session(cast["city"])
    rows = client.get(f"{API}/calendar", {"year": 2025}).json()["rows"]
    assert {r["kind"]: r["bureau"] for r in rows} == {
        "association": "2026-05-31",
        "social_service": "2026-05-31",
        "foundation": "2026-03-31",
    }
    assert next(r for r in rows if r["kind"] == "social_service")["exempt_after"] == "2025-06-30"
    stats = client.get(f"{API}/stats", {"year": 2025}).json()
    assert stats["total"]["due"] == 3  # 历下 ×2, 章丘 ×1 (city scope)
    assert session(cast["community"]).get(f"{API}/stats", {"year": 2025}).status_code == 403


def test_public_conclusions_list_published_ones_only(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    to_state(
        report,
        org_user=cast["org_user"],
        reviewer=cast["reviewer"],
        bureau=cast["district"],
        state="concluded",
        on=dt.date(2026, 4, 1),
    )
    assert Client().get("/api/v1/public/supervision/conclusions").json()["count"] == 0
    report_transition(
        actor=cast["district"], report=report, transition="publish", today=dt.date(2026, 4, 2)
    )
    rows = Client().get("/api/v1/public/supervision/conclusions").json()["results"]
    assert [(r["organization_name"], r["conclusion_label"], r["published_on"]) for r in rows] == [
        ("历下区养老服务协会", "合格", "2026-04-02")
    ]
