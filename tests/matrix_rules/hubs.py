"""Permission-matrix rules for the hubs app (merged into tests/test_permission_matrix.py).

The world: a platform hub recognised for 历下区 (its organisation sits in 解放桥 历山路社区),
``cast["hub"]`` its staff, the association ``assoc`` its member; a foreign hub with its own
staff and member: in 章丘 (the same city: another district, another street) for the users of
历下区 and its streets, for the hub's staff and for the party officer, in 青岛 for the others
(章丘 for the 青岛 bureau).

The party officer is a grant role: it is assigned (a ``party`` grant) the home hub's
organisation and the home federation's, nothing else, and reads their rosters but not their
staff names, first-line reviews or notices. The lists' ``contents`` check what each list shows
and hides, not only its status code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from npohub.accounts.tests.factories import UserFactory
from npohub.hubs import services
from npohub.hubs.models import HubKind
from npohub.orgs.models import AccessReason
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, grant
from tests.matrix import PUBLIC, SIGNED_IN, SUPERUSER, Rule, World

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
# Staff names, first-line reviews and notices: not part of the party officer's assignment.
SEES_HUB_WORK = SEES_HUB - {"party"}
GOVERNORS = frozenset({"admin", "city", "district"})
# Users of 济南 below the city: their outside objects are in 章丘 (the same city).
SAME_CITY = frozenset({"district", "street", "community", "hub", "party"})


def assign_party(world: World, org: Any) -> None:
    """The party officer's assignment (a ``party`` grant on the organisation)."""
    world.once(("party_grant", org.pk), lambda: grant(world.cast["party"], org, AccessReason.PARTY))


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
        assign_party(world, org)
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


def _where(user: str) -> str:
    """Where the user's outside objects are: 章丘 for 济南's users below the city and for 青岛's
    bureau, 青岛 for the others (the city and 章丘's own users cover 章丘)."""
    return "zhangqiu" if user in SAME_CITY or user == "qingdao" else "qingdao"


def foreign_hub(world: World, user: str) -> Any:
    return _foreign_hub(world, _where(user))


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
    out = r["mingshui"] if _where(user) == "zhangqiu" else r["qd_street"]
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


# --- API targets and bodies --------------------------------------------------------------------


def renamed(build: Any, **names: str) -> Any:
    """A target builder with its path parameters renamed (the API's ``hub_id`` for ``pk``)."""

    def wrapped(world: World, user: str) -> dict[str, dict[str, Any]]:
        return {
            scope: {names.get(k, k): v for k, v in kwargs.items()}
            for scope, kwargs in build(world, user).items()
        }

    return wrapped


def fixed(**values: Any) -> Any:
    return lambda world, user, scope: dict(values)


def api_member_body(world: World, user: str, scope: str) -> dict[str, Any]:
    form = new_member_body(world, user, scope)
    return {"organization_id": int(form["organization"]), "joined_on": form["joined_on"]}


def api_recognise_body(world: World, user: str, scope: str) -> dict[str, Any]:
    form = recognise_body(world, user, scope)
    return {
        **{k: v for k, v in form.items() if k not in ("organization", "region")},
        "organization_id": world.orgs["other"].pk,
        "region_code": form["region"],
    }


def api_federation_body(world: World, user: str, scope: str) -> dict[str, Any]:
    form = federation_body(world, user, scope)
    return {
        "street_code": form["street"],
        "organization_id": world.orgs["other"].pk,
        "decision_number": form["decision_number"],
        "established_on": form["established_on"],
        "chair_name": form["chair_name"],
        "chair_title": form["chair_title"],
        "chaired_by_street_head": True,
    }


def _platform(world: World, where: str) -> Any:
    def make() -> Any:
        r = world.regions
        if where == "home":
            hub, region = home_hub(world), r["lixia"]
        else:
            hub = _foreign_hub(world, where)
            region = r["shinan"] if where == "qingdao" else r["zhangqiu"]
        return services.platform_create(
            actor=world.cast["admin"],
            data=services.PlatformInput(
                name=f"{region.name}社会组织服务平台",
                level="district",
                region=region,
                operator=hub,
                opened_on=DAY0,
                offerings=["incubation"],
            ),
        )

    return world.once(("platform", where), make)


def platform_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {
        "in": {"pk": _platform(world, "home").pk},
        "out": {"pk": _platform(world, _where(user)).pk},
    }


def platform_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "name": "历下区社会组织孵化基地",
        "level": "district",
        "region_code": "370102",
        "operator_id": home_hub(world).pk,
        "opened_on": "2024-03-01",
        "offerings": ["incubation", "training"],
    }


def pairing_body(world: World, user: str, scope: str) -> dict[str, Any]:
    senior = world.once(
        "api_senior",
        lambda: OrganizationFactory(
            name="济南市志愿服务联合会", community=world.regions["c_qfs1"], management_level="city"
        ),
    )
    return {
        "senior_id": senior.pk,
        "community_group_id": world.orgs["group"].pk,
        "topic": "社区助老",
        "started_on": "2024-03-01",
    }


def _federation(world: World, where: str) -> Any:
    def make() -> Any:
        r = world.regions
        street, community = {
            "home": (r["jiefangqiao"], r["c_jfq2"]),
            "qingdao": (r["qd_street"], r["qd_comm"]),
            "zhangqiu": (r["mingshui"], r["c_ms_village"]),
        }[where]
        org = OrganizationFactory(name=f"{street.name}社区社会组织联合会", community=community)
        if where == "home":
            assign_party(world, org)
        return services.federation_create(
            actor=world.cast["admin"],
            street=street,
            organization=org,
            data=services.FederationInput(
                established_on=DAY0,
                decision_number=f"{street.name}〔2024〕1号",
                chair_name="王主任",
                chaired_by_street_head=True,
            ),
        )

    return world.once(("federation", where), make)


def federation_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {
        "in": {"pk": _federation(world, "home").pk},
        "out": {"pk": _federation(world, _where(user)).pk},
    }


def _external(world: World, where: str) -> Any:
    return world.once(
        ("external", where),
        lambda: services.federation_external_member_add(
            actor=world.cast["admin"],
            federation=_federation(world, where),
            name="泉城物业公司",
            kind="enterprise",
            joined_on=DAY0,
        ),
    )


def external_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {
        "in": {"pk": _external(world, "home").pk},
        "out": {"pk": _external(world, _where(user)).pk},
    }


def _list_item(world: World, street: Any) -> Any:
    return world.once(
        ("list_item", street.code),
        lambda: services.street_list_item_create(
            actor=world.cast["admin"], list_kind="needs", street=street, title="助餐需求"
        ),
    )


def list_item_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    r = world.regions
    out = r["mingshui"] if _where(user) == "zhangqiu" else r["qd_street"]
    return {
        scope: {"code": street.code, "kind": "needs", "item_pk": _list_item(world, street).pk}
        for scope, street in (("in", r["jiefangqiao"]), ("out", out))
    }


def review_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "organization_id": world.orgs["assoc"].pk,
        "subject": "registration.filing",
        "subject_id": "1",
        "opinion": "pass",
        "score": "8.5",
    }


# --- what the lists show (``Rule.contents``) -----------------------------------------------------

# Who sees the home pairing (a group of 解放桥) and the home hub's escalations.
SEES_PAIRING = frozenset({"admin", "city", "district", "street", "community"})
SEES_ESCALATION = frozenset({"admin", "city", "district", "hub"})


def _outside(user: str) -> list[str]:
    """Where the objects a user must not see are: both foreign places for 济南's users below the
    city (another district of the city, and 青岛), else the user's one foreign place."""
    return ["zhangqiu", "qingdao"] if user in SAME_CITY else [_where(user)]


def _shown(
    user: str, sees: frozenset[str], home: str, outside: list[str]
) -> tuple[list[str], list[str]]:
    """The home object's name must show for those who see it and not for the others; the
    outside objects' names show to nobody but the superuser."""
    if user == "admin":
        return [home], []
    return ([home], outside) if user in sees else ([], [home, *outside])


def hub_contents(world: World, user: str) -> Any:
    if user not in VIEWERS:
        return None
    outside = [_foreign_hub(world, where).name for where in _outside(user)]
    return _shown(user, SEES_HUB, home_hub(world).name, outside)


def federation_contents(world: World, user: str) -> Any:
    if user not in VIEWERS:
        return None
    outside = [_federation(world, where).name for where in _outside(user)]
    return _shown(user, SEES_FED, _federation(world, "home").name, outside)


def platform_contents(world: World, user: str) -> Any:
    if user not in VIEWERS:
        return None
    outside = [_platform(world, where).name for where in _outside(user)]
    return _shown(user, SEES_PLATFORM, _platform(world, "home").name, outside)


def pairing_contents(world: World, user: str) -> Any:
    if user not in VIEWERS:
        return None
    outside = [_pairing(world, where).community_group.name for where in _outside(user)]
    return _shown(user, SEES_PAIRING, _pairing(world, "home").community_group.name, outside)


def escalation_contents(world: World, user: str) -> Any:
    """Escalations carry the same title everywhere: the hub's name tells them apart."""
    if user not in VIEWERS:
        return None
    _escalation(world, "home")
    for where in _outside(user):
        _escalation(world, where)
    outside = [_foreign_hub(world, where).name for where in _outside(user)]
    return _shown(user, SEES_ESCALATION, home_hub(world).name, outside)


# Who keeps a street federation (the street office and the bureaus above it).
FED_KEEPERS = frozenset({"admin", "city", "district", "street"})
SEES_FED = frozenset({"admin", "city", "district", "street", "community", "party"})
SEES_PLATFORM = SEES_HUB
PLATFORM_RECORDERS = frozenset({"admin", "city", "district", "hub"})
HUB_STAFF_ONLY = frozenset({"hub"})
HUB_API = renamed(hub_target, pk="hub_id")


POLICY: dict[str, Any] = {
    "hubs:hub-list": Rule(VIEWERS, contents=hub_contents),
    "hubs:hub-recognise": Rule(
        frozenset({"admin", "city", "district", "district_out", "qingdao"}),
        methods=("GET", "POST"),
        unsafe_allow=GOVERNORS,
        body=recognise_body,
        form_denial=True,
        note="bureaus outside 历下区 cannot find the organisation: the form re-renders",
    ),
    "hubs:hub-detail": Rule(SEES_HUB, target=hub_target),
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
    "hubs:escalation-list": Rule(VIEWERS, contents=escalation_contents),
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
    "hubs:federation-list": Rule(VIEWERS, contents=federation_contents),
    "hubs:federation-create": Rule(
        frozenset({"admin", "city", "district", "district_out", "street", "street_out", "qingdao"}),
        methods=("GET", "POST"),
        unsafe_allow=GOVERNORS,
        body=federation_body,
        form_denial=True,
    ),
    "hubs:platform-list": Rule(VIEWERS, contents=platform_contents),
    "hubs:pairing-list": Rule(VIEWERS, contents=pairing_contents),
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
    # --- pages added with the API ---
    "hubs:member-agreement": Rule(
        GOVERNORS,
        target=membership_target,
        methods=("POST",),
        body=fixed(signed_on="2024-02-01", terms="接受枢纽初审与月度评分"),
        form_denial=True,
    ),
    "hubs:member-review": Rule(
        SEES_HUB_WORK,
        target=membership_target,
        methods=("GET", "POST"),
        unsafe_allow=HUB_STAFF_ONLY,
        body=fixed(subject="registration.filing", subject_id="1", opinion="pass", score="8.5"),
        form_denial=True,
        hidden_out=False,
        note="everyone who sees the hub's work reads the reviews (not the party officer, whose "
        "assignment is the hub and its roster: 403); only its staff record one (the superuser "
        "gets the form back)",
    ),
    "hubs:platform-create": Rule(
        frozenset({"admin", "city", "district", "district_out", "qingdao"}),
        methods=("GET", "POST"),
        unsafe_allow=GOVERNORS,
        body=lambda w, u, s: {
            **platform_body(w, u, s),
            "region": "370102",
            "operator": home_hub(w).pk,
        },
        form_denial=True,
        note="bureaus that cannot see the operating hub get the form back",
    ),
    "hubs:platform-detail": Rule(SEES_PLATFORM, target=platform_target),
    "hubs:platform-visit": Rule(
        PLATFORM_RECORDERS,
        target=platform_target,
        methods=("POST",),
        body=fixed(visited_on="2024-05-01", visitor="青岛市民政局", headcount="12"),
        form_denial=True,
    ),
    "hubs:platform-honour": Rule(
        PLATFORM_RECORDERS,
        target=platform_target,
        methods=("POST",),
        body=fixed(title="省级示范平台", awarded_by="山东省民政厅", awarded_on="2024-06-01"),
        form_denial=True,
    ),
    "hubs:pairing-create": Rule(
        frozenset({"admin", "city", "district", "district_out", "qingdao"}),
        methods=("GET", "POST"),
        unsafe_allow=GOVERNORS,
        body=lambda w, u, s: {
            "senior": str(pairing_body(w, u, s)["senior_id"]),
            "community_group": str(w.orgs["group"].pk),
            "topic": "社区助老",
            "started_on": "2024-03-01",
        },
        form_denial=True,
    ),
    "hubs:federation-detail": Rule(SEES_FED, target=federation_target),
    "hubs:federation-chair": Rule(
        FED_KEEPERS,
        target=federation_target,
        methods=("POST",),
        body=fixed(chair_name="李主任", chair_title="街道党工委书记", chaired_by_street_head="on"),
        form_denial=True,
    ),
    "hubs:federation-external-add": Rule(
        FED_KEEPERS,
        target=federation_target,
        methods=("POST",),
        body=fixed(name="济南泉城医院", kind="institution", joined_on="2024-02-01"),
        form_denial=True,
    ),
    "hubs:federation-external-leave": Rule(
        FED_KEEPERS,
        target=external_target,
        methods=("POST",),
        body=lambda w, u, s: {"left_on": today()},
        form_denial=True,
    ),
    "hubs:street-list-status": Rule(
        FED_KEEPERS, target=list_item_target, methods=("POST",), body=fixed(status="matched")
    ),
    "hubs:coverage": Rule(VIEWERS, note="each user sees their own region"),
    # --- API (/api/v1/hubs/) ---
    "hubs_list": Rule(VIEWERS, contents=hub_contents),
    "hubs_recognise": Rule(GOVERNORS, body=api_recognise_body),
    "hubs_detail": Rule(SEES_HUB, target=HUB_API),
    "hubs_revoke": Rule(GOVERNORS, target=HUB_API, body=fixed(reason="未履行职责")),
    "hubs_members_list": Rule(SEES_HUB, target=HUB_API),
    "hubs_members_add": Rule(GOVERNORS, target=HUB_API, body=api_member_body),
    "hubs_members_leave": Rule(
        GOVERNORS,
        target=renamed(membership_target, pk="hub_id", membership_pk="membership_id"),
        body=lambda w, u, s: {"left_on": today()},
    ),
    "hubs_members_sign_agreement": Rule(
        GOVERNORS,
        target=renamed(membership_target, pk="hub_id", membership_pk="membership_id"),
        body=fixed(signed_on="2024-02-01", terms="接受枢纽初审与月度评分"),
    ),
    "hubs_staff_list": Rule(SEES_HUB_WORK, target=HUB_API),
    "hubs_staff_add": Rule(GOVERNORS, target=HUB_API, body=new_staff_body),
    "hubs_staff_remove": Rule(
        GOVERNORS, target=renamed(staff_target, pk="hub_id", user_pk="user_id")
    ),
    "hubs_notices_list": Rule(SEES_HUB_WORK, target=HUB_API),
    "hubs_notices_send": Rule(
        HUB_STAFF_ONLY,
        target=HUB_API,
        allow_out=frozenset(),
        body=fixed(title="培训通知", body="周五下午培训"),
        note="only the hub's own staff act for the bureau; the bureau itself gets 403",
    ),
    "hubs_notices_inbox": Rule(SIGNED_IN, note="each account sees its own organisations' notices"),
    "hubs_notices_mark_read": Rule(
        frozenset({"org_user"}),
        target=renamed(receipt_target, pk="receipt_id"),
        allow_out=frozenset(),
    ),
    "hubs_escalations_raise": Rule(
        HUB_STAFF_ONLY,
        target=HUB_API,
        allow_out=frozenset(),
        body=lambda w, u, s: {
            "organization_id": w.orgs["assoc"].pk,
            "title": "活动异常",
            "description": "连续三月未开展活动",
        },
    ),
    "hubs_escalations_list": Rule(VIEWERS, contents=escalation_contents),
    "hubs_escalations_detail": Rule(
        frozenset({"admin", "city", "district", "hub"}),
        target=renamed(escalation_target, pk="escalation_id"),
    ),
    "hubs_escalations_assign": Rule(
        GOVERNORS,
        target=renamed(escalation_target, pk="escalation_id"),
        body=lambda w, u, s: {"assignee": "qingdao" if s == "out" else "district"},
    ),
    "hubs_escalations_resolve": Rule(
        GOVERNORS,
        target=renamed(escalation_target, pk="escalation_id"),
        body=fixed(resolution="已约谈整改"),
    ),
    "hubs_review_subjects": Rule(VIEWERS),
    "hubs_reviews_list": Rule(SEES_HUB_WORK, target=HUB_API),
    "hubs_reviews_record": Rule(
        HUB_STAFF_ONLY, target=HUB_API, allow_out=frozenset(), body=review_body
    ),
    "hubs_platforms_list": Rule(VIEWERS, contents=platform_contents),
    "hubs_platforms_create": Rule(GOVERNORS, body=platform_body),
    "hubs_platforms_detail": Rule(SEES_PLATFORM, target=renamed(platform_target, pk="platform_id")),
    "hubs_platforms_visit": Rule(
        PLATFORM_RECORDERS,
        target=renamed(platform_target, pk="platform_id"),
        body=fixed(visited_on="2024-05-01", visitor="青岛市民政局", headcount=12),
    ),
    "hubs_platforms_honour": Rule(
        PLATFORM_RECORDERS,
        target=renamed(platform_target, pk="platform_id"),
        body=fixed(title="省级示范平台", awarded_by="山东省民政厅", awarded_on="2024-06-01"),
    ),
    "hubs_pairings_list": Rule(VIEWERS, contents=pairing_contents),
    "hubs_pairings_create": Rule(GOVERNORS, body=pairing_body),
    "hubs_pairings_close": Rule(
        GOVERNORS,
        target=renamed(pairing_target, pk="pairing_id"),
        body=lambda w, u, s: {"ended_on": today(), "outcome": "服务老人120人次"},
    ),
    "hubs_federations_list": Rule(VIEWERS, contents=federation_contents),
    "hubs_federations_create": Rule(GOVERNORS, body=api_federation_body),
    "hubs_federations_detail": Rule(
        SEES_FED, target=renamed(federation_target, pk="federation_id")
    ),
    "hubs_federations_set_chair": Rule(
        FED_KEEPERS,
        target=renamed(federation_target, pk="federation_id"),
        body=fixed(chair_name="李主任", chair_title="街道党工委书记", chaired_by_street_head=True),
    ),
    "hubs_federations_external_add": Rule(
        FED_KEEPERS,
        target=renamed(federation_target, pk="federation_id"),
        body=fixed(name="济南泉城医院", kind="institution", joined_on="2024-02-01"),
    ),
    "hubs_federations_external_leave": Rule(
        FED_KEEPERS,
        target=renamed(external_target, pk="member_id"),
        body=lambda w, u, s: {"left_on": today()},
    ),
    "hubs_street_lists_list": Rule(FED_KEEPERS, target=street_list_target),
    "hubs_street_lists_add": Rule(
        FED_KEEPERS,
        target=street_list_target,
        body=fixed(title="老年助餐需求", category="为老服务"),
    ),
    "hubs_street_lists_set_status": Rule(
        FED_KEEPERS,
        target=renamed(list_item_target, item_pk="item_id"),
        body=fixed(status="matched"),
    ),
    "hubs_coverage": Rule(VIEWERS, note="each caller sees their own region"),
    "public_hubs_list": Rule(PUBLIC),
    "public_hubs_coverage": Rule(PUBLIC, query={"region": "3701"}),
}


__all__ = ["POLICY", "SUPERUSER"]
