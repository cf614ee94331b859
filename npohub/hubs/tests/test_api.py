"""/api/v1/hubs/: the same services and visibility as the pages; errors as {code, message, details}."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from npohub.core.models import AuditEvent
from npohub.hubs import services
from npohub.hubs.models import (
    Federation,
    FirstLineReview,
    Hub,
    HubMembership,
    HubStatus,
    Pairing,
    PlatformVisit,
    ServicePlatform,
    StreetNeed,
)
from npohub.orgs.models import AccessReason, OrganizationAccess
from npohub.orgs.tests.factories import OrganizationFactory

from .factories import DAY0, add_member, recognise

pytestmark = pytest.mark.django_db
BASE = "/api/v1/hubs"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def world(cast, regions, orgs):
    """A 历下区 platform hub, ``cast["hub"]`` its staff, ``assoc`` its member; ``other`` is not."""
    OrganizationAccess.objects.filter(user=cast["hub"], reason=AccessReason.HUB_MEMBER).delete()
    hub_org = OrganizationFactory(
        name="历下区社会组织服务中心",
        community=regions["c_jfq2"],
        authority_region=regions["lixia"],
    )
    hub = recognise(cast["city"], hub_org, region=regions["lixia"])
    services.hub_staff_add(actor=cast["city"], hub=hub, user=cast["hub"], valid_from=DAY0)
    add_member(cast["city"], hub, orgs["assoc"])
    return {"hub": hub, **orgs}


def review(client, hub, org, **extra):
    body = {
        "organization_id": org.pk,
        "subject": "registration.filing",
        "subject_id": "17",
        "opinion": "pass",
        "score": "8.5",
        **extra,
    }
    return post(client, f"{BASE}/hubs/{hub.pk}/reviews", body)


# --- the "done when": review and score, scope, revocation ---------------------------


def test_hub_staff_review_a_members_filing_and_score_it_on_behalf_of_the_bureau(cast, world):
    response = review(client_for(cast["hub"]), world["hub"], world["assoc"], comment="材料齐全")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["subject"], body["subject_id"], body["opinion"]) == (
        "registration.filing",
        "17",
        "pass",
    )
    assert Decimal(body["score"]) == Decimal("8.5")
    row = FirstLineReview.objects.get()
    assert (row.organization, row.hub, row.reviewed_by) == (
        world["assoc"],
        world["hub"],
        cast["hub"],
    )
    event = AuditEvent.objects.get(kind="hubs.first_line_review")
    assert event.on_behalf_of == "历下区社会组织服务中心（受民政局委托）"
    assert event.organization_id == world["assoc"].pk
    listed = client_for(cast["district"]).get(f"{BASE}/hubs/{world['hub'].pk}/reviews").json()
    assert [r["id"] for r in listed["results"]] == [row.pk]


def test_hub_staff_cannot_see_or_review_a_non_member_and_nothing_is_stored(cast, world):
    client = client_for(cast["hub"])
    assert client.get(f"/api/v1/organizations/{world['other'].pk}").status_code == 404
    response = review(client, world["hub"], world["other"])
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not FirstLineReview.objects.exists()


def test_revoking_the_hub_ends_its_staffs_access_at_once(cast, world):
    client = client_for(cast["hub"])
    assert client.get(f"/api/v1/organizations/{world['assoc'].pk}").status_code == 200
    response = post(
        client_for(cast["district"]),
        f"{BASE}/hubs/{world['hub'].pk}/revoke",
        {"reason": "未履行枢纽职责"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == HubStatus.REVOKED
    assert client.get(f"/api/v1/organizations/{world['assoc'].pk}").status_code == 404
    assert client.get(f"{BASE}/hubs/{world['hub'].pk}").status_code == 404
    assert review(client, world["hub"], world["assoc"]).status_code == 404
    assert not FirstLineReview.objects.exists()


def test_a_score_outside_the_scale_is_refused_with_its_reason(cast, world):
    response = review(client_for(cast["hub"]), world["hub"], world["assoc"], score="101")
    assert response.status_code == 422
    assert response.json() == {
        "code": "review_score_out_of_range",
        "message": "评分须在 0 至 100 之间",
        "details": {"score": "无效"},
    }
    assert not FirstLineReview.objects.exists()


def test_returning_a_filing_needs_a_reason(cast, world):
    response = review(client_for(cast["hub"]), world["hub"], world["assoc"], opinion="return")
    assert response.status_code == 422
    assert response.json()["message"] == "退回或提请关注时须说明理由"
    assert not FirstLineReview.objects.exists()


def test_the_review_subjects_include_filings_and_annual_reports(cast, world):
    codes = [s["code"] for s in client_for(cast["hub"]).get(f"{BASE}/review-subjects").json()]
    assert {"registration.filing", "supervision.annual_report"} <= set(codes)


# --- hubs and rosters --------------------------------------------------------------------------


def test_the_bureau_recognises_a_hub_through_the_api(cast, world):
    response = post(
        client_for(cast["district"]),
        f"{BASE}/hubs",
        {
            "organization_id": world["other"].pk,
            "kind": "spontaneous",
            "region_code": "370102",
            "decision_number": "历下民〔2024〕3号",
            "decision_date": "2024-03-01",
            "valid_from": "2024-03-01",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["kind_label"], body["scope_prefix"], body["member_count"]) == (
        "历下区书法协会",
        "自发类",
        "370102",
        0,
    )


def test_a_street_officer_cannot_revoke_and_nothing_changes(cast, world):
    response = post(
        client_for(cast["street"]), f"{BASE}/hubs/{world['hub'].pk}/revoke", {"reason": "x"}
    )
    assert response.status_code == 403
    assert response.json()["message"] == ("只有该枢纽所在辖区的民政局（联合会为所在街道）可以管理")
    assert Hub.objects.get().status == HubStatus.RECOGNISED


def test_recognition_without_a_scope_names_the_missing_field(cast, world):
    response = post(
        client_for(cast["district"]),
        f"{BASE}/hubs",
        {
            "organization_id": world["other"].pk,
            "kind": "platform",
            "decision_number": "历下民〔2024〕4号",
            "decision_date": "2024-03-01",
            "valid_from": "2024-03-01",
        },
    )
    assert response.status_code == 422
    assert response.json()["details"] == {"region": "请至少指定覆盖区域或覆盖领域"}
    assert Hub.objects.count() == 1


def test_an_unknown_field_in_the_body_is_refused(cast, world):
    response = post(
        client_for(cast["district"]),
        f"{BASE}/hubs/{world['hub'].pk}/revoke",
        {"reason": "x", "effective": "2024-01-01"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert Hub.objects.get().status == HubStatus.RECOGNISED


def test_members_join_sign_and_leave_with_history_kept(cast, world):
    client = client_for(cast["district"])
    url = f"{BASE}/hubs/{world['hub'].pk}/members"
    response = post(client, url, {"organization_id": world["other"].pk, "joined_on": "2024-02-01"})
    assert response.status_code == 201, response.content
    membership_id = response.json()["id"]
    signed = post(
        client,
        f"{url}/{membership_id}/agreement",
        {"signed_on": "2024-02-02", "terms": "接受初审"},
    )
    assert signed.json()["agreement_signed_on"] == "2024-02-02"
    left = post(client, f"{url}/{membership_id}/leave", {"left_on": "2024-06-01", "reason": "迁出"})
    assert left.json()["left_on"] == "2024-06-01"
    again = post(client, f"{url}/{membership_id}/leave", {"left_on": "2024-07-01"})
    assert again.status_code == 409
    assert again.json() == {"code": "already_left", "message": "该组织已退出", "details": {}}
    rows = client.get(url).json()["results"]
    assert [(r["organization"]["name"], r["left_on"]) for r in rows] == [
        ("历下区养老服务协会", None),
        ("历下区书法协会", "2024-06-01"),
    ]


def test_a_member_joining_before_the_recognition_is_refused(cast, world):
    response = post(
        client_for(cast["district"]),
        f"{BASE}/hubs/{world['hub'].pk}/members",
        {"organization_id": world["other"].pk, "joined_on": "2023-12-31"},
    )
    assert response.status_code == 422
    assert response.json()["message"] == "加入日期不能早于枢纽认定生效日期（2024年1月1日）"
    assert HubMembership.objects.count() == 1


def test_staff_are_added_and_removed_by_username(cast, world):
    from npohub.accounts.tests.factories import UserFactory

    newcomer = UserFactory(username="hub_two", role="hub_staff")
    client = client_for(cast["district"])
    url = f"{BASE}/hubs/{world['hub'].pk}/staff"
    assert post(client, url, {"username": "hub_two"}).status_code == 201
    assert sorted(u["username"] for u in client.get(url).json()) == ["hub", "hub_two"]
    assert post(client, f"{url}/{newcomer.pk}/remove").status_code == 204
    assert [u["username"] for u in client.get(url).json()] == ["hub"]
    unknown = post(client, url, {"username": "nobody"})
    assert unknown.status_code == 422
    assert unknown.json()["message"] == "未找到账号“nobody”"


# --- notices and escalations -------------------------------------------------------------------


def test_a_notice_reaches_members_and_is_marked_read_by_them(cast, world):
    response = post(
        client_for(cast["hub"]),
        f"{BASE}/hubs/{world['hub'].pk}/notices",
        {"title": "年报提醒", "body": "请于5月31日前填报"},
    )
    assert response.status_code == 201
    assert (response.json()["receipt_count"], response.json()["read_count"]) == (1, 0)
    member = client_for(cast["org_user"])
    inbox = member.get(f"{BASE}/notices/inbox").json()["results"]
    assert [(r["title"], r["read_at"]) for r in inbox] == [("年报提醒", None)]
    read = post(member, f"{BASE}/notices/receipts/{inbox[0]['id']}/read")
    assert read.json()["read_at"] is not None
    other = post(client_for(cast["org_user_out"]), f"{BASE}/notices/receipts/{inbox[0]['id']}/read")
    assert other.status_code == 404


def test_the_bureau_cannot_send_a_notice_for_the_hub_and_nothing_is_stored(cast, world):
    response = post(
        client_for(cast["district"]),
        f"{BASE}/hubs/{world['hub'].pk}/notices",
        {"title": "t", "body": "b"},
    )
    assert response.status_code == 403
    assert response.json()["message"] == (
        "只有该枢纽在认定有效期内的工作人员可以代表民政局开展此项工作"
    )
    assert not AuditEvent.objects.filter(kind="hubs.notice_sent").exists()


def test_an_escalation_is_raised_assigned_and_resolved(cast, world):
    raised = post(
        client_for(cast["hub"]),
        f"{BASE}/hubs/{world['hub'].pk}/escalations",
        {"organization_id": world["assoc"].pk, "title": "负责人失联", "description": "电话不通"},
    )
    assert raised.status_code == 201
    esc = raised.json()
    assert (esc["state"], esc["region_code"]) == ("open", "370102000000")
    bureau = client_for(cast["district"])
    assigned = post(bureau, f"{BASE}/escalations/{esc['id']}/assign", {"assignee": "district"})
    assert assigned.json()["state"] == "assigned"
    bad = post(bureau, f"{BASE}/escalations/{esc['id']}/resolve", {"resolution": " "})
    assert bad.status_code == 422
    assert bad.json()["message"] == "请填写处理结果"
    done = post(bureau, f"{BASE}/escalations/{esc['id']}/resolve", {"resolution": "已约谈"})
    assert done.json()["state"] == "resolved"


# --- platforms, pairings, federations, lists, coverage ---------------------------------------


def test_a_platform_is_opened_visited_and_honoured(cast, world, regions):
    bureau = client_for(cast["district"])
    created = post(
        bureau,
        f"{BASE}/platforms",
        {
            "name": "历下区社会组织服务平台",
            "level": "district",
            "region_code": "370102",
            "operator_id": world["hub"].pk,
            "opened_on": "2024-03-01",
            "offerings": ["incubation", "venture"],
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    staff = client_for(cast["hub"])
    assert (
        post(
            staff,
            f"{BASE}/platforms/{pk}/visits",
            {"visited_on": "2024-04-01", "visitor": "青岛市民政局", "headcount": 8},
        ).status_code
        == 201
    )
    assert (
        post(
            staff,
            f"{BASE}/platforms/{pk}/honours",
            {"title": "示范平台", "awarded_by": "山东省民政厅", "awarded_on": "2024-05-01"},
        ).status_code
        == 201
    )
    detail = bureau.get(f"{BASE}/platforms/{pk}").json()
    assert detail["offerings"] == ["incubation", "venture"]
    assert [v["visitor"] for v in detail["visits"]] == ["青岛市民政局"]
    assert [h["title"] for h in detail["honours"]] == ["示范平台"]


def test_a_platform_at_the_wrong_level_and_a_visit_without_visitor_are_refused(cast, world):
    bureau = client_for(cast["district"])
    wrong = post(
        bureau,
        f"{BASE}/platforms",
        {
            "name": "平台",
            "level": "street",
            "region_code": "370102",
            "operator_id": world["hub"].pk,
            "opened_on": "2024-03-01",
        },
    )
    assert wrong.status_code == 422
    assert wrong.json()["details"] == {"region": "区划级别与平台层级不一致"}
    assert not ServicePlatform.objects.exists()


def test_a_visit_without_a_visitor_is_refused_and_nothing_is_stored(cast, world, regions):
    platform = services.platform_create(
        actor=cast["district"],
        data=services.PlatformInput(
            name="平台",
            level="district",
            region=regions["lixia"],
            operator=world["hub"],
            opened_on=DAY0,
            offerings=[],
        ),
    )
    response = post(
        client_for(cast["hub"]),
        f"{BASE}/platforms/{platform.pk}/visits",
        {"visited_on": "2024-04-01", "visitor": " ", "headcount": 3},
    )
    assert response.status_code == 422
    assert response.json()["message"] == "请填写来访单位和人数"
    assert not PlatformVisit.objects.exists()


def test_a_pairing_is_made_and_closed_with_its_outcome(cast, world, regions):
    senior = OrganizationFactory(community=regions["c_qfs1"], management_level="city")
    bureau = client_for(cast["district"])
    made = post(
        bureau,
        f"{BASE}/pairings",
        {
            "senior_id": senior.pk,
            "community_group_id": world["group"].pk,
            "topic": "助老",
            "started_on": "2024-03-01",
        },
    )
    assert made.status_code == 201, made.content
    closed = post(
        bureau,
        f"{BASE}/pairings/{made.json()['id']}/close",
        {"ended_on": "2024-12-31", "outcome": "服务老人200人次"},
    )
    assert closed.json()["outcome"] == "服务老人200人次"


def test_pairing_two_registered_organisations_is_refused(cast, world):
    response = post(
        client_for(cast["district"]),
        f"{BASE}/pairings",
        {
            "senior_id": world["other"].pk,
            "community_group_id": world["assoc"].pk,
            "topic": "助老",
            "started_on": "2024-03-01",
        },
    )
    assert response.status_code == 422
    assert response.json()["details"] == {"community_group": "须是备案社区社会组织"}
    assert not Pairing.objects.exists()


def test_a_street_sets_up_its_federation_with_chair_and_unit_members(cast, regions):
    org = OrganizationFactory(name="解放路街道社区社会组织联合会", community=regions["c_jfq1"])
    street = client_for(cast["street"])
    made = post(
        street,
        f"{BASE}/federations",
        {
            "street_code": "370102001",
            "organization_id": org.pk,
            "decision_number": "解放路〔2024〕1号",
            "established_on": "2024-03-01",
            "chair_name": "王主任",
            "chair_title": "街道办事处主任",
            "chaired_by_street_head": True,
        },
    )
    assert made.status_code == 201, made.content
    fed = made.json()
    assert (fed["chair"], fed["chaired_by_street_head"], fed["street_name"]) == (
        "王主任",
        True,
        "解放路街道",
    )
    url = f"{BASE}/federations/{fed['id']}"
    post(street, f"{url}/chair", {"chair_name": "李书记", "chaired_by_street_head": True})
    joined = post(
        street,
        f"{url}/external-members",
        {"name": "泉城物业", "kind": "enterprise", "joined_on": "2024-04-01"},
    )
    assert joined.status_code == 201
    detail = street.get(url).json()
    assert detail["chair"] == "李书记"
    assert [m["name"] for m in detail["external_members"]] == ["泉城物业"]
    left = post(
        street, f"{BASE}/federation-members/{joined.json()['id']}/leave", {"left_on": "2024-03-01"}
    )
    assert left.status_code == 422
    assert left.json()["message"] == "退出日期不能早于加入日期"


def test_a_federation_for_an_unknown_street_names_the_field(cast, world):
    response = post(
        client_for(cast["district"]),
        f"{BASE}/federations",
        {
            "street_code": "370102999",
            "organization_id": world["other"].pk,
            "decision_number": "x",
            "established_on": "2024-03-01",
        },
    )
    assert response.status_code == 422
    assert response.json()["details"] == {"street_code": "无效"}
    assert not Federation.objects.exists()


def test_the_street_keeps_its_three_lists(cast, regions):
    street = client_for(cast["street"])
    url = f"{BASE}/streets/370102001/lists/needs"
    added = post(street, url, {"title": "老年助餐", "category": "为老服务"})
    assert added.status_code == 201
    item = added.json()
    assert post(street, f"{url}/{item['id']}/status", {"status": "matched"}).json()["status"] == (
        "matched"
    )
    bad = post(street, f"{url}/{item['id']}/status", {"status": "lost"})
    assert bad.status_code == 422
    assert bad.json()["message"] == "无效的状态"
    assert StreetNeed.objects.get().status == "matched"
    assert client_for(cast["street_out"]).get(url).status_code == 404


def test_coverage_answers_for_the_callers_region_and_refuses_a_foreign_one(cast, world):
    response = client_for(cast["district"]).get(f"{BASE}/coverage")
    assert response.status_code == 200
    body = response.json()
    assert body["region_name"] == "历下区"
    assert body["federation_total"]["streets"] == 2
    assert body["hubs_by_kind"]["platform"] == 1
    foreign = client_for(cast["district"]).get(f"{BASE}/coverage", {"region": "370202"})
    assert foreign.status_code == 404


def test_the_public_list_shows_current_recognitions_only(cast, world, client):
    services.hub_revoke(actor=cast["district"], hub=world["hub"], reason="撤销")
    recognise(
        cast["district"],
        world["other"],
        region=world["hub"].region,
        valid_from=timezone.localdate(),
    )
    names = [h["name"] for h in client.get("/api/v1/public/hubs/hubs").json()["results"]]
    assert names == ["历下区书法协会"]
    figures = client.get("/api/v1/public/hubs/coverage", {"region": "3701"}).json()
    assert figures["region_name"] == "济南市"
    assert client.get("/api/v1/public/hubs/coverage", {"region": "abc"}).status_code == 404
