"""Permission-matrix rules for the hubs app (merged into tests/test_permission_matrix.py).

The world: a platform hub recognised for 历下区 (its organisation sits in 解放桥 历山路社区),
``cast["hub"]`` its staff, the association ``assoc`` its member; a foreign hub in 青岛 (and one
in 章丘 for the 青岛 bureau) with its own staff and member.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from npohub.accounts.tests.factories import UserFactory
from npohub.hubs import services
from npohub.hubs.models import HubKind
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory
from tests.matrix import SIGNED_IN, SUPERUSER, Rule, World

DAY0 = dt.date(2024, 1, 1)
VIEWERS = frozenset(
    {
        "admin",
        "city",
        "district",
        "district_out",
        "street",
        "street_out",
        "community",
        "hub",
        "party",
        "qingdao",
    }
)
SEES_HUB = frozenset({"admin", "city", "district", "street", "community", "hub", "party"})
GOVERNORS = frozenset({"admin", "city", "district"})


def _recognise(world: World, org: Any, region: Any) -> Any:
    return services.hub_recognize(
        actor=world.cast["admin"],
        organization=org,
        data=services.RecognitionInput(
            kind=HubKind.PLATFORM,
            decision_number="矩阵〔2024〕1号",
            decision_date=DAY0,
            valid_from=DAY0,
            region=region,
        ),
    )


def _member(world: World, hub: Any, org: Any) -> Any:
    return services.hub_member_add(
        actor=world.cast["admin"],
        hub=hub,
        organization=org,
        data=services.MembershipInput(joined_on=DAY0),
    )


def home_hub(world: World) -> Any:
    def make() -> Any:
        r = world.regions
        org = OrganizationFactory(
            name="历下区社会组织服务中心", community=r["c_jfq2"], authority_region=r["lixia"]
        )
        hub = _recognise(world, org, r["lixia"])
        services.hub_staff_add(actor=world.cast["admin"], hub=hub, user=world.cast["hub"])
        world.cache["home_membership"] = _member(world, hub, world.orgs["assoc"])
        return hub

    return world.once("home_hub", make)


def _foreign_hub(world: World, where: str) -> Any:
    def make() -> Any:
        r = world.regions
        if where == "qingdao":
            org = OrganizationFactory(name="青岛市南区社会组织服务中心", community=r["qd_comm"])
            member_org = OrganizationFactory(name="市南区助老协会", community=r["qd_comm"])
            hub = _recognise(world, org, r["shinan"])
        else:
            org = OrganizationFactory(name="章丘区社会组织服务中心", community=r["c_ms_village"])
            member_org = world.orgs["far"]
            hub = _recognise(world, org, r["zhangqiu"])
        staff = UserFactory(username=f"hub_{where}", role="hub_staff")
        services.hub_staff_add(actor=world.cast["admin"], hub=hub, user=staff)
        world.cache[("foreign_membership", where)] = _member(world, hub, member_org)
        world.cache[("foreign_staff", where)] = staff
        world.cache[("foreign_member", where)] = member_org
        return hub

    return world.once(("foreign_hub", where), make)


def foreign_hub(world: World, user: str) -> Any:
    return _foreign_hub(world, "zhangqiu" if user == "qingdao" else "qingdao")


def _where(user: str) -> str:
    return "zhangqiu" if user == "qingdao" else "qingdao"


def hub_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {"in": {"pk": home_hub(world).pk}, "out": {"pk": foreign_hub(world, user).pk}}


def membership_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    home = home_hub(world)
    foreign = foreign_hub(world, user)
    return {
        "in": {"pk": home.pk, "membership_pk": world.cache["home_membership"].pk},
        "out": {
            "pk": foreign.pk,
            "membership_pk": world.cache[("foreign_membership", _where(user))].pk,
        },
    }


def staff_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    home = home_hub(world)
    foreign = foreign_hub(world, user)
    return {
        "in": {"pk": home.pk, "user_pk": world.cast["hub"].pk},
        "out": {"pk": foreign.pk, "user_pk": world.cache[("foreign_staff", _where(user))].pk},
    }


def new_member_body(world: World, user: str, scope: str) -> dict[str, Any]:
    def make(where: str) -> Any:
        r = world.regions
        community = r["qd_comm"] if where == "qingdao" else r["c_ms_village"]
        return OrganizationFactory(name=f"{where}新成员协会", community=community)

    if scope == "out":
        where = _where(user)
        org = world.once(("new_member", where), lambda: make(where))
    else:
        org = world.orgs["other"]
    return {"organization": str(org.pk), "role": "member", "joined_on": "2024-02-01"}


def new_staff_body(world: World, user: str, scope: str) -> dict[str, Any]:
    account = world.once("new_staff", lambda: UserFactory(username="hub_new", role="hub_staff"))
    return {"username": account.username}


def _notice_receipt(world: World, where: str) -> Any:
    def make() -> Any:
        if where == "home":
            hub, actor, org = home_hub(world), world.cast["hub"], world.orgs["assoc"]
        else:
            hub = _foreign_hub(world, where)
            actor = world.cache[("foreign_staff", where)]
            org = world.cache[("foreign_member", where)]
        notice = services.hub_notice_send(actor=actor, hub=hub, title="年报提醒", body="请按时填报")
        return notice.receipts.get(organization=org)

    return world.once(("receipt", where), make)


def receipt_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {
        "in": {"pk": _notice_receipt(world, "home").pk},
        "out": {"pk": _notice_receipt(world, _where(user)).pk},
    }


def _escalation(world: World, where: str) -> Any:
    def make() -> Any:
        if where == "home":
            hub, actor, org = home_hub(world), world.cast["hub"], world.orgs["assoc"]
        else:
            hub = _foreign_hub(world, where)
            actor = world.cache[("foreign_staff", where)]
            org = world.cache[("foreign_member", where)]
        return services.escalation_raise(
            actor=actor, hub=hub, organization=org, title="负责人失联", description="无法联系"
        )

    return world.once(("escalation", where), make)


def escalation_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {
        "in": {"pk": _escalation(world, "home").pk},
        "out": {"pk": _escalation(world, _where(user)).pk},
    }


def _pairing(world: World, where: str) -> Any:
    def make() -> Any:
        r = world.regions
        if where == "home":
            senior = OrganizationFactory(
                name="济南市社工协会", community=r["c_qfs1"], management_level="city"
            )
            group = world.orgs["group"]
        elif where == "qingdao":
            senior = OrganizationFactory(
                name="青岛市社工协会", community=r["qd_comm"], management_level="city"
            )
            group = CommunityGroupFactory(name="八大关社区合唱队", community=r["qd_comm"])
        else:
            senior = world.orgs["far"]
            group = CommunityGroupFactory(name="东岭村秧歌队", community=r["c_ms_village"])
        return services.pairing_create(
            actor=world.cast["admin"],
            senior=senior,
            community_group=group,
            topic="助老服务",
            started_on=DAY0,
        )

    return world.once(("pairing", where), make)


def pairing_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {
        "in": {"pk": _pairing(world, "home").pk},
        "out": {"pk": _pairing(world, _where(user)).pk},
    }


def street_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    r = world.regions
    out = r["mingshui"] if user == "qingdao" else r["qd_street"]
    return {"in": {"code": r["jiefangqiao"].code}, "out": {"code": out.code}}


def street_list_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    base = street_target(world, user)
    return {scope: {**kwargs, "kind": "needs"} for scope, kwargs in base.items()}


def recognise_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "organization": str(world.orgs["other"].pk),
        "kind": "platform",
        "region": "370102",
        "decision_number": "济民〔2024〕9号",
        "decision_date": "2024-03-01",
        "valid_from": "2024-03-01",
    }


def federation_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "street": "370102002",
        "organization": str(world.orgs["other"].pk),
        "decision_number": "千佛山街道〔2024〕1号",
        "established_on": "2024-03-01",
        "chair_name": "王主任",
        "chair_title": "街道办事处主任",
        "chaired_by_street_head": "on",
    }


def today() -> str:
    return timezone.localdate().isoformat()


POLICY: dict[str, Any] = {
    "hubs:hub-list": Rule(VIEWERS),
    "hubs:hub-recognise": Rule(
        frozenset({"admin", "city", "district", "district_out", "qingdao"}),
        methods=("GET", "POST"),
        unsafe_allow=GOVERNORS,
        body=recognise_body,
        form_denial=True,
        note="bureaus outside 历下区 cannot find the organisation: the form re-renders",
    ),
    "hubs:hub-detail": Rule(SEES_HUB, target=hub_target, allow_out=frozenset({"admin", "party"})),
    "hubs:hub-revoke": Rule(
        GOVERNORS,
        target=hub_target,
        methods=("POST",),
        body=lambda w, u, s: {"reason": "未履行职责"},
        form_denial=True,
        note="viewers who may not govern the hub are sent back with the refusal",
    ),
    "hubs:member-add": Rule(
        GOVERNORS, target=hub_target, methods=("POST",), body=new_member_body, form_denial=True
    ),
    "hubs:member-leave": Rule(
        GOVERNORS,
        target=membership_target,
        methods=("POST",),
        body=lambda w, u, s: {"left_on": today()},
        form_denial=True,
    ),
    "hubs:staff-add": Rule(
        GOVERNORS, target=hub_target, methods=("POST",), body=new_staff_body, form_denial=True
    ),
    "hubs:staff-remove": Rule(GOVERNORS, target=staff_target, methods=("POST",), form_denial=True),
    "hubs:notice-send": Rule(
        frozenset({"hub"}),
        target=hub_target,
        allow_out=frozenset(),
        methods=("POST",),
        body=lambda w, u, s: {"title": "培训通知", "body": "周五下午培训"},
        form_denial=True,
        note="only the hub's own staff act for the bureau; the bureau itself is refused",
    ),
    "hubs:escalation-create": Rule(
        frozenset({"hub"}),
        target=hub_target,
        allow_out=frozenset(),
        methods=("POST",),
        body=lambda w, u, s: {
            "organization": str(w.orgs["assoc"].pk),
            "title": "活动异常",
            "description": "连续三月未开展活动",
        },
        form_denial=True,
    ),
    "hubs:notice-inbox": Rule(SIGNED_IN, note="each account sees its own organisations' notices"),
    "hubs:notice-read": Rule(
        frozenset({"org_user"}), target=receipt_target, allow_out=frozenset(), methods=("POST",)
    ),
    "hubs:escalation-list": Rule(VIEWERS),
    "hubs:escalation-detail": Rule(
        frozenset({"admin", "city", "district", "hub"}), target=escalation_target
    ),
    "hubs:escalation-assign": Rule(
        GOVERNORS,
        target=escalation_target,
        methods=("POST",),
        body=lambda w, u, s: {"assignee": "qingdao" if s == "out" else "district"},
        form_denial=True,
    ),
    "hubs:escalation-resolve": Rule(
        GOVERNORS,
        target=escalation_target,
        methods=("POST",),
        body=lambda w, u, s: {"resolution": "已约谈整改"},
        form_denial=True,
    ),
    "hubs:federation-list": Rule(VIEWERS),
    "hubs:federation-create": Rule(
        frozenset({"admin", "city", "district", "district_out", "street", "street_out", "qingdao"}),
        methods=("GET", "POST"),
        unsafe_allow=GOVERNORS,
        body=federation_body,
        form_denial=True,
    ),
    "hubs:platform-list": Rule(VIEWERS),
    "hubs:pairing-list": Rule(VIEWERS),
    "hubs:pairing-close": Rule(
        GOVERNORS,
        target=pairing_target,
        methods=("POST",),
        body=lambda w, u, s: {"outcome": "服务老人120人次"},
        form_denial=True,
    ),
    "hubs:street-lists": Rule(
        frozenset({"admin", "city", "district", "street"}), target=street_target, hidden_out=True
    ),
    "hubs:street-list-add": Rule(
        frozenset({"admin", "city", "district", "street"}),
        target=street_list_target,
        methods=("POST",),
        body=lambda w, u, s: {"title": "老年助餐需求", "category": "为老服务"},
    ),
}

__all__ = ["POLICY", "SUPERUSER"]
