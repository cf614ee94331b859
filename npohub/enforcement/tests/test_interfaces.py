"""The portal intake and lookup, the API envelope, and the staff pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings

from npohub.enforcement import services
from npohub.enforcement.models import Complaint, PenaltyCase
from npohub.registration.models import Certificate

from .factories import certificate, complaint, decided

pytestmark = pytest.mark.django_db

BODY = {
    "contact": "13800000000",
    "category": "fees",
    "organization_text": "某某协会",
    "description": "该协会强制摊派会费，不开具票据。",
}


@override_settings(ENFORCEMENT_POLICY={"default": {"complaint_rate_limit": 2}})
def test_the_public_api_throttles_per_client_and_stores_nothing_when_refused(cast):
    services.throttle_reset("10.9.9.9")
    client = Client(REMOTE_ADDR="10.9.9.9")
    url = "/api/v1/public/enforcement/complaints"
    for _i in range(2):
        assert client.post(url, BODY, content_type="application/json").status_code == 201
    refused = client.post(url, BODY, content_type="application/json")
    assert refused.status_code == 429
    assert refused.json() == {
        "code": "enforcement.throttled",
        "message": "提交过于频繁：同一网络在 60 分钟内最多可提交 2 件投诉举报，请稍后再试。",
        "details": {"limit": 2, "window_seconds": 3600},
    }
    assert Complaint.objects.count() == 2
    services.throttle_reset("10.9.9.9")


@override_settings(ENFORCEMENT_POLICY={"default": {"complaint_rate_limit": 1}})
def test_the_portal_form_says_so_in_chinese_when_throttled(cast):
    services.throttle_reset("10.8.8.8")
    client = Client(REMOTE_ADDR="10.8.8.8")
    url = "/enforcement/complaints/new/"
    assert client.post(url, BODY).status_code == 302
    refused = client.post(url, BODY)
    assert refused.status_code == 429
    assert "同一网络在 60 分钟内最多可提交 1 件投诉举报" in refused.content.decode()
    assert Complaint.objects.count() == 1
    services.throttle_reset("10.8.8.8")


def test_the_lookup_shows_only_that_complaint(cast, orgs):
    mine = complaint(orgs["assoc"], description="我的投诉：强制摊派会费，不开具票据。")
    other = complaint(orgs["other"], description="别人的投诉：书法协会乱收费用。")
    services.complaint_transition(actor=cast["district"], complaint=mine, transition="accept")
    services.complaint_transition(
        actor=cast["district"], complaint=mine, transition="reply", note="已责令退还。"
    )
    page = Client().get("/enforcement/complaints/lookup/", {"number": mine.number.lower()})
    text = page.content.decode()
    assert mine.number in text and "已责令退还。" in text and "已答复" in text
    assert other.number not in text and "历下区书法协会" not in text
    assert "13800000000" not in text  # the contact is never shown
    api = Client().get(f"/api/v1/public/enforcement/complaints/{mine.number}").json()
    assert (api["state"], api["reply"], api["organization"]) == (
        "replied",
        "已责令退还。",
        "历下区养老服务协会",
    )
    assert "contact" not in api and "description" not in api
    missing = Client().get("/api/v1/public/enforcement/complaints/TS20250101AAAAAAAA")
    assert missing.status_code == 404


def test_the_api_refuses_an_excessive_fine_with_the_envelope(cast, orgs):
    client = Client()
    client.force_login(cast["district"])
    made = client.post(
        "/api/v1/enforcement/cases",
        {"organization_id": orgs["assoc"].pk, "title": "违规收费"},
        content_type="application/json",
    )
    assert made.status_code == 201
    case_id = made.json()["id"]
    refused = client.post(
        f"/api/v1/enforcement/cases/{case_id}/sanctions",
        {"kind": "fine", "amount": "70000", "fine_basis": "turnover", "basis_amount": "20000"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["message"] == (
        "罚款金额超出法定幅度：应为违法经营额（20,000.00 元）的 1 至 3 倍，"
        "即 20,000.00 元至 60,000.00 元"
    )
    assert PenaltyCase.objects.get(pk=case_id).sanctions.count() == 0


def test_the_verification_page_says_sealed_under_suspension(cast, orgs):
    cert = certificate(orgs["assoc"])
    decided(
        cast["district"],
        orgs["assoc"],
        [{"kind": "suspension", "suspend_until": dt.date(2099, 1, 1)}],
        on=dt.date(2025, 6, 10),
    )
    page = Client().get(f"/verify/{Certificate.objects.get(pk=cert.pk).token}/")
    assert 'data-status="sealed"' in page.content.decode()
    assert "封存" in page.content.decode()


def test_staff_pages_render_with_bounded_queries(cast, orgs, django_assert_max_num_queries):
    for _i in range(3):
        complaint(orgs["assoc"])
    client = Client()
    client.force_login(cast["district"])
    client.get("/enforcement/complaints/")  # warm caches (session, menu)
    with django_assert_max_num_queries(12):
        page = client.get("/enforcement/complaints/")
    assert page.status_code == 200 and page.content.decode().count("TS") >= 3
    case = services.case_open(actor=cast["district"], organization=orgs["assoc"], title="违规收费")
    assert client.get(f"/enforcement/cases/{case.pk}/").status_code == 200
    assert client.get("/enforcement/cases/").status_code == 200
    assert client.get("/enforcement/statistics/").status_code == 200
    outsider = Client()
    outsider.force_login(cast["district_out"])
    assert outsider.get(f"/enforcement/cases/{case.pk}/").status_code == 404
