"""/api/v1/community/: activity reports and filing delegations, with who may and may not."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from npohub.accounts.services import api_token_create
from npohub.core.models import AuditEvent
from npohub.orgs.tests.factories import CommunityGroupFactory
from npohub.registration.models import ActivityReport, FilingDelegation

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/community/activity-reports"
DELEGATIONS = "/api/v1/community/delegations"


def today() -> dt.date:
    return timezone.localdate()


def bearer(user) -> Client:
    _, raw = api_token_create(actor=user, user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, data) -> object:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def report_payload(org, **changes):
    data = {
        "organization_id": org.pk,
        "title": "重阳节敬老活动",
        "starts_on": (today() + dt.timedelta(days=14)).isoformat(),
        "location": "社区活动室",
        "participants": 120,
        "description": "为老人表演节目。",
    }
    data.update(changes)
    return data


# --- activity reports ----------------------------------------------------------------------


def test_the_street_lists_its_groups_reports_and_another_street_sees_none(cast, report):
    mine = bearer(cast["street"]).get(REPORTS).json()
    theirs = bearer(cast["street_out"]).get(REPORTS).json()

    assert [r["title"] for r in mine["results"]] == ["社区邻里节文艺汇演"]
    assert mine["results"][0]["actions"] == ["acknowledge", "query"]
    assert theirs == {"count": 0, "next": None, "results": []}


def test_the_list_filters_by_state(cast, report):
    client = bearer(cast["street"])

    assert client.get(REPORTS, {"state": "queried"}).json()["count"] == 0
    assert client.get(REPORTS, {"state": "submitted"}).json()["count"] == 1


def test_roles_without_activity_reports_are_refused_the_list(cast):
    assert_envelope(bearer(cast["resident"]).get(REPORTS), 403, "permission_denied")
    assert_envelope(Client().get(REPORTS), 401, "authentication_required")


def test_the_group_reports_an_activity(owner, orgs):
    response = post(bearer(owner), REPORTS, report_payload(orgs["group"]))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["organization_name"], body["state"], body["thread"]) == (
        "解放桥社区舞蹈队",
        "submitted",
        [],
    )
    assert ActivityReport.objects.get().reported_by == owner


def test_bad_input_is_a_422_naming_each_field_and_nothing_is_stored(owner, orgs):
    response = post(
        bearer(owner),
        REPORTS,
        report_payload(orgs["group"], title="", location=" ", description="", participants=0),
    )

    body = assert_envelope(response, 422, "validation_failed")
    assert body["details"] == {
        "title": "请填写活动名称",
        "location": "请填写活动地点",
        "participants": "预计人数应大于 0",
        "description": "请填写活动内容",
    }
    assert not ActivityReport.objects.exists()


def test_a_malformed_date_or_an_unknown_field_is_a_422(owner, orgs):
    client = bearer(owner)

    bad_date = post(client, REPORTS, report_payload(orgs["group"], starts_on="明天"))
    unknown = post(client, REPORTS, {**report_payload(orgs["group"]), "budget": 5})

    assert "starts_on" in assert_envelope(bad_date, 422, "validation_failed")["details"]
    assert "budget" in assert_envelope(unknown, 422, "validation_failed")["details"]
    assert not ActivityReport.objects.exists()


def test_reporting_for_a_group_one_does_not_own_is_refused(cast, orgs, owner):
    stranger = CommunityGroupFactory(name="解放桥社区书画队", community=orgs["group"].community)

    refused = post(bearer(owner), REPORTS, report_payload(stranger))
    street = post(bearer(cast["street"]), REPORTS, report_payload(orgs["group"]))
    registered = post(bearer(cast["district"]), REPORTS, report_payload(orgs["assoc"]))

    assert assert_envelope(refused, 404, "not_found")["details"] == {
        "organization_id": "不存在或不在您的范围内"
    }
    assert_envelope(street, 403, "permission_denied")
    assert "备案社区社会组织" in assert_envelope(registered, 403, "permission_denied")["message"]
    assert not ActivityReport.objects.exists()


def test_a_report_outside_the_scope_is_a_404(cast, report):
    for name in ("street_out", "district_out", "org_user", "hub"):
        assert_envelope(bearer(cast[name]).get(f"{REPORTS}/{report.pk}"), 404, "not_found")
    assert bearer(cast["district"]).get(f"{REPORTS}/{report.pk}").status_code == 200


def act(client, report, action, text=""):
    return post(client, f"{REPORTS}/{report.pk}/actions", {"action": action, "text": text})


def test_the_street_queries_and_the_group_answers(cast, owner, report):
    queried = act(bearer(cast["street"]), report, "query", "请补充安全预案")
    answered = act(bearer(owner), report, "answer", "已补充")

    assert queried.json()["state"] == "queried"
    body = answered.json()
    assert body["state"] == "answered"
    assert [(e["role"], e["action"], e["text"]) for e in body["thread"]] == [
        ("federation", "query", "请补充安全预案"),
        ("group", "answer", "已补充"),
    ]


def test_refused_actions_name_the_reason_and_change_nothing(cast, owner, report):
    by_group = act(bearer(owner), report, "acknowledge")
    by_community = act(bearer(cast["community"]), report, "query", "?")
    without_text = act(bearer(cast["street"]), report, "query", " ")
    unknown = act(bearer(cast["street"]), report, "approve")
    answer_too_early = act(bearer(owner), report, "answer", "说明")
    outside = act(bearer(cast["street_out"]), report, "acknowledge")

    assert_envelope(by_group, 403, "permission_denied")
    assert_envelope(by_community, 403, "permission_denied")
    assert assert_envelope(without_text, 422, "validation_failed")["details"] == {"text": "必填"}
    assert "action" in assert_envelope(unknown, 422, "validation_failed")["details"]
    assert_envelope(answer_too_early, 409, "invalid_transition")
    assert_envelope(outside, 404, "not_found")
    report.refresh_from_db()
    assert (report.state, report.thread) == ("submitted", [])


def test_the_delegated_federation_acknowledges_through_the_api(cast, delegation, report):
    client = bearer(cast["hub"])
    assert client.get(REPORTS).json()["count"] == 1

    body = act(client, report, "acknowledge").json()

    assert body["state"] == "acknowledged"
    assert body["actions"] == []


# --- delegations ---------------------------------------------------------------------------


def delegation_payload(federation, **changes):
    data = {
        "street_code": "370102001",
        "federation_id": federation.pk,
        "valid_from": today().isoformat(),
    }
    data.update(changes)
    return data


def test_the_street_delegates_and_lists_its_delegations(cast, federation):
    client = bearer(cast["street"])

    created = post(client, DELEGATIONS, delegation_payload(federation))
    listed = client.get(DELEGATIONS).json()

    assert created.status_code == 201, created.content
    assert created.json()["street_code"] == "370102001000"
    assert created.json()["state"] == "active"
    assert [d["federation_name"] for d in listed["results"]] == ["解放路街道社会组织联合会"]
    assert AuditEvent.objects.filter(kind="registration.filing_delegated").count() == 1


def test_the_hub_lists_its_delegation_but_may_neither_create_nor_end_one(
    cast, federation, delegation
):
    client = bearer(cast["hub"])

    listed = client.get(DELEGATIONS).json()
    created = post(client, DELEGATIONS, delegation_payload(federation))
    ended = post(client, f"{DELEGATIONS}/{delegation.pk}/end", {"valid_until": today().isoformat()})

    assert [d["id"] for d in listed["results"]] == [delegation.pk]
    assert_envelope(created, 403, "permission_denied")
    assert_envelope(ended, 403, "permission_denied")
    delegation.refresh_from_db()
    assert FilingDelegation.objects.count() == 1 and delegation.valid_until is None


def test_other_streets_and_other_roles_are_refused(cast, federation, delegation):
    assert_envelope(
        post(bearer(cast["street_out"]), DELEGATIONS, delegation_payload(federation)),
        404,
        "not_found",
    )
    assert_envelope(
        post(
            bearer(cast["district_out"]),
            f"{DELEGATIONS}/{delegation.pk}/end",
            {"valid_until": today().isoformat()},
        ),
        404,
        "not_found",
    )
    assert_envelope(bearer(cast["community"]).get(DELEGATIONS), 403, "permission_denied")
    assert FilingDelegation.objects.count() == 1


def test_bad_delegation_input_names_the_field(cast, federation, orgs):
    client = bearer(cast["district"])

    unknown_street = post(
        client, DELEGATIONS, delegation_payload(federation, street_code="370102099")
    )
    not_a_street = post(client, DELEGATIONS, delegation_payload(federation, street_code="370102"))
    outside = post(client, DELEGATIONS, delegation_payload(orgs["other"]))
    backwards = post(
        client,
        DELEGATIONS,
        delegation_payload(federation, valid_until=(today() - dt.timedelta(days=1)).isoformat()),
    )

    assert assert_envelope(unknown_street, 422, "validation_failed")["details"] == {
        "street_code": "未知的区划代码"
    }
    assert "street_code" in assert_envelope(not_a_street, 422, "validation_failed")["details"]
    assert "federation_id" in assert_envelope(outside, 422, "validation_failed")["details"]
    assert "valid_until" in assert_envelope(backwards, 422, "validation_failed")["details"]
    assert not FilingDelegation.objects.exists()


def test_a_street_cannot_delegate_for_the_district(cast, federation):
    response = post(
        bearer(cast["street"]), DELEGATIONS, delegation_payload(federation, street_code="370102")
    )

    assert_envelope(response, 403, "permission_denied")
    assert not FilingDelegation.objects.exists()


def test_the_street_ends_a_delegation_once(cast, delegation):
    client = bearer(cast["street"])
    url = f"{DELEGATIONS}/{delegation.pk}/end"
    yesterday = (today() - dt.timedelta(days=1)).isoformat()

    ended = post(client, url, {"valid_until": yesterday})
    again = post(client, url, {"valid_until": yesterday})

    assert ended.json()["state"] == "ended"
    assert ended.json()["valid_until"] == yesterday
    assert_envelope(again, 409, "invalid_transition")
    assert AuditEvent.objects.filter(kind="registration.filing_delegation_ended").count() == 1


def test_a_delegation_cannot_end_long_before_it_began(cast, delegation):
    response = post(
        bearer(cast["district"]),
        f"{DELEGATIONS}/{delegation.pk}/end",
        {"valid_until": (delegation.valid_from - dt.timedelta(days=2)).isoformat()},
    )

    body = assert_envelope(response, 422, "validation_failed")
    assert "截止日期不能早于生效日期的前一天" in body["message"]
    delegation.refresh_from_db()
    assert delegation.valid_until is None
