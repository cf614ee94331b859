"""Permission-matrix rules for the inspections app (merged into tests/test_permission_matrix.py).

The world: a published district plan of 历下区 (ratio 100 % of associations: the association
and 历下区书法协会 are drawn; the cast's inspector and a second pool inspector are assigned to
both checks; check 2 has had its notice, an order on check 1 is open, another is reported),
a draft plan of 历下区, and a published plan of 市南区 (青岛) for the "out" scope. A third pool
inspector joins after the draw so a withdrawal can be replaced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.matrix import PUBLIC, SUPERUSER, Rule, World

# Who opens the spot-check pages (bureaus and inspectors).
VIEWERS = frozenset({"admin", "city", "district", "district_out", "qingdao", "inspector"})
PLANNERS = frozenset({"admin", "city", "district", "district_out", "qingdao"})
# Who sees the 历下区 plan: its bureaus, and the inspector assigned to its checks.
# 青岛's bureau manages the 市南区 plan, which is its "in" object (see ``target``).
LIXIA = frozenset({"admin", "city", "district", "qingdao"})
LIXIA_AND_INSPECTOR = LIXIA | {"inspector"}


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def setup(world: World) -> dict[str, Any]:
    def make() -> dict[str, Any]:
        from npohub.accounts.models import Role, User
        from npohub.inspections import services
        from npohub.inspections.models import Inspector

        r, cast, orgs = world.regions, world.cast, world.orgs
        admin = cast["admin"]

        def user(name: str, region: Any) -> User:
            return User.objects.create(
                username=name, role=Role.INSPECTOR, region=region, scope_prefix=region.prefix
            )

        Inspector.objects.create(
            user=cast["inspector"], region=r["jinan"], department="济南市民政局"
        )
        second = Inspector.objects.create(
            user=user("m-insp2", r["lixia"]), region=r["lixia"], department="历下区民政局"
        )
        for i in (1, 2):
            Inspector.objects.create(user=user(f"m-qd{i}", r["shinan"]), region=r["shinan"])

        def plan(region: Any, title: str, state: str = "publish") -> Any:
            data = services.PlanInput(
                title=title,
                year=2026,
                kind="ad_hoc",
                method="on_site",
                ratios={"association": "1"},
                topic="矩阵测试",
            )
            p = services.plan_create(actor=admin, authority_region=region, data=data)
            if state == "draft":
                return p
            for move in ("commit", "draw", "publish"):
                p = services.plan_transition(actor=admin, plan=p, transition=move)
            return p

        lixia = plan(r["lixia"], "历下区矩阵抽查")
        draft = plan(r["lixia"], "历下区矩阵草稿", "draft")
        qingdao = plan(r["shinan"], "市南区矩阵抽查")
        qd_draft = plan(r["shinan"], "市南区矩阵草稿", "draft")
        Inspector.objects.create(
            user=user("m-insp3", r["lixia"]), region=r["lixia"], department="历下区司法局"
        )
        Inspector.objects.create(user=user("m-qd3", r["shinan"]), region=r["shinan"])
        c1 = lixia.checks.get(organization=orgs["assoc"])
        c2 = lixia.checks.exclude(pk=c1.pk).get()
        services.check_notify(actor=admin, check=c2, scope_notice="年度报告")
        today = _today()
        order = services.rectification_order_issue(
            actor=admin, check=c1, requirement="整改", deadline=today + dt.timedelta(days=10)
        )
        reported = services.rectification_order_issue(
            actor=admin, check=c1, requirement="已整改", deadline=today + dt.timedelta(days=10)
        )
        services.rectification_report(actor=admin, order=reported, rectified_on=today)
        qd_check = qingdao.checks.get()
        services.check_notify(actor=admin, check=qd_check, scope_notice="年度报告")
        qd_order = services.rectification_order_issue(
            actor=admin, check=qd_check, requirement="整改", deadline=today + dt.timedelta(days=10)
        )
        qd_reported = services.rectification_order_issue(
            actor=admin,
            check=qd_check,
            requirement="已整改",
            deadline=today + dt.timedelta(days=10),
        )
        services.rectification_report(actor=admin, order=qd_reported, rectified_on=today)
        qd_entry = Inspector.objects.get(user__username="m-qd1")
        conflict = services.conflict_declare(
            actor=admin, entry=second, organization=orgs["far"], reason="矩阵测试"
        )
        qd_conflict = services.conflict_declare(
            actor=admin, entry=qd_entry, organization=orgs["far"], reason="矩阵测试"
        )
        User.objects.create(username="m-candidate", role=Role.INSPECTOR)
        return {
            "plan": (lixia, qingdao),
            "draft": (draft, qd_draft),
            "check": (c1, qd_check),
            "notified": (c2, qd_check),
            "order": (order, qd_order),
            "reported": (reported, qd_reported),
            "entry": (second, qd_entry),
            "conflict": (conflict, qd_conflict),
            "second": second,
        }

    return world.once("inspections", make)  # type: ignore[no-any-return]


def target(name: str, param: str) -> Any:
    """In: the 历下区 object; out: the 市南区 one (for 青岛's bureau, the other way round)."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        inside, outside = setup(world)[name]
        if user == "qingdao":
            inside, outside = outside, inside
        return {"in": {param: inside.pk}, "out": {param: outside.pk}}

    return build


def plan_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "title": f"矩阵计划{user}",
        "year": 2026,
        "kind": "regular",
        "method": "desk",
        "ratio_association": "5",
    }


def plan_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "title": f"矩阵计划{user}",
        "year": 2026,
        "kind": "regular",
        "method": "desk",
        "ratios": {"association": "0.05"},
    }


def replace_body(world: World, user: str, scope: str) -> dict[str, Any]:
    """An inspector assigned to the target check withdraws."""
    inside, outside = setup(world)["check"]
    if user == "qingdao":
        inside, outside = outside, inside
    check = inside if scope == "in" else outside
    leaving = check.assignments.filter(is_active=True).order_by("position").first()
    return {"user_id": leaving.user_id, "reason": "矩阵测试回避"}


def candidate(world: World, user: str, scope: str) -> dict[str, Any]:
    setup(world)
    return {"username": "m-candidate", "department": "", "id_number": ""}


def conflict_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"organization": world.orgs["other"].pk, "reason": "矩阵测试"}


def today_body(field: str) -> Any:
    return lambda w, u, s: {field: _today().isoformat()}


NOTICE = {"scope_notice": "财务", "scheduled_on": ""}
FINDING = {"type": "finance", "description": "矩阵发现", "legal_basis": ""}


def conclude_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"checked_on": _today().isoformat(), "conclusion": "no_problem", "note": ""}


def order_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"requirement": "矩阵整改", "deadline": (_today() + dt.timedelta(days=20)).isoformat()}


def notice_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"scope_notice": "财务"}


def conclude_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return dict(conclude_body(world, user, scope).items())


PUBLIC_OUT = {"allow_out": PUBLIC, "hidden_out": False}
POLICY: dict[str, Rule] = {
    # --- staff pages ---
    "inspections:plan-list": Rule(VIEWERS),
    "inspections:plan-create": Rule(PLANNERS, methods=("GET", "POST"), body=plan_body),
    "inspections:plan-detail": Rule(LIXIA_AND_INSPECTOR, target=target("plan", "pk")),
    "inspections:plan-edit": Rule(
        LIXIA,
        target=target("draft", "pk"),
        methods=("GET", "POST"),
        body=plan_body,
        note="a refusal re-renders the form",
        form_denial=True,
    ),
    "inspections:plan-transition": Rule(
        LIXIA,
        target=target("draft", "pk"),
        methods=("POST",),
        body=lambda w, u, s: {"transition": "commit"},
        form_denial=True,
        note="a refused move is a message on the plan page",
    ),
    "inspections:check-list": Rule(VIEWERS),
    "inspections:check-detail": Rule(LIXIA_AND_INSPECTOR, target=target("check", "pk")),
    "inspections:check-notice": Rule(
        LIXIA_AND_INSPECTOR,
        target=target("check", "pk"),
        methods=("POST",),
        body=lambda w, u, s: NOTICE,
    ),
    "inspections:finding-add": Rule(
        LIXIA_AND_INSPECTOR,
        target=target("check", "pk"),
        methods=("POST",),
        body=lambda w, u, s: FINDING,
    ),
    "inspections:check-conclude": Rule(
        LIXIA_AND_INSPECTOR, target=target("notified", "pk"), methods=("POST",), body=conclude_body
    ),
    "inspections:order-issue": Rule(
        LIXIA_AND_INSPECTOR, target=target("check", "pk"), methods=("POST",), body=order_body
    ),
    "inspections:check-replace": Rule(
        LIXIA_AND_INSPECTOR,
        target=target("check", "pk"),
        methods=("POST",),
        unsafe_allow=LIXIA,
        body=replace_body,
        form_denial=True,
        note="only the bureau replaces an inspector; the inspector sees the refusal on the form",
    ),
    "inspections:order-report": Rule(
        LIXIA_AND_INSPECTOR | {"org_user"},
        target=target("order", "pk"),
        methods=("POST",),
        body=today_body("rectified_on"),
        form_denial=True,
        note="the organisation's own account reports too; out: 市南区's order, a message for the superuser",
    ),
    "inspections:order-verify": Rule(
        LIXIA_AND_INSPECTOR | {"org_user"},
        target=target("reported", "pk"),
        methods=("POST",),
        unsafe_allow=LIXIA_AND_INSPECTOR,
        body=today_body("verified_on"),
        form_denial=True,
        note="the organisation sees its order but may not verify it (a message, nothing changes)",
    ),
    "inspections:pool-list": Rule(
        VIEWERS,
        methods=("GET", "POST"),
        unsafe_allow=PLANNERS,
        body=candidate,
    ),
    "inspections:pool-edit": Rule(
        LIXIA,
        target=target("entry", "pk"),
        methods=("GET", "POST"),
        body=lambda w, u, s: {"department": "矩阵科", "id_number": "", "is_active": "on"},
    ),
    "inspections:conflict-declare": Rule(
        LIXIA, target=target("entry", "pk"), methods=("POST",), body=conflict_body
    ),
    "inspections:conflict-withdraw": Rule(
        LIXIA, target=target("conflict", "pk"), methods=("POST",)
    ),
    # --- public pages ---
    "portal:inspection-plan-list": Rule(PUBLIC),
    "portal:inspection-plan": Rule(PUBLIC, target=target("plan", "pk"), **PUBLIC_OUT),
    # --- API ---
    "inspections_plans_list": Rule(
        VIEWERS
        | {
            "district_out",
            "street",
            "street_out",
            "community",
            "hub",
            "reviewer",
            "org_user",
            "org_user_out",
            "expert",
            "party",
            "resident",
        },
        note="an empty list for those without plans",
    ),
    "inspections_plans_create": Rule(PLANNERS, methods=("POST",), body=plan_json),
    "inspections_plans_detail": Rule(LIXIA_AND_INSPECTOR, target=target("plan", "plan_id")),
    "inspections_plans_update": Rule(
        LIXIA,
        target=target("draft", "plan_id"),
        body=lambda w, u, s: {**plan_json(w, u, s), "title": "矩阵改名"},
    ),
    "inspections_plans_transition": Rule(
        LIXIA,
        target=target("draft", "plan_id"),
        body=lambda w, u, s: {"transition": "commit"},
    ),
    "inspections_plans_log": Rule(LIXIA, target=target("plan", "plan_id")),
    "inspections_checks_list": Rule(
        frozenset(
            {
                "admin",
                "city",
                "district",
                "district_out",
                "street",
                "street_out",
                "community",
                "hub",
                "reviewer",
                "org_user",
                "org_user_out",
                "inspector",
                "expert",
                "party",
                "resident",
                "qingdao",
            }
        ),
        note="an empty list for those without checks",
    ),
    "inspections_checks_detail": Rule(LIXIA_AND_INSPECTOR, target=target("check", "check_id")),
    "inspections_checks_notice": Rule(
        LIXIA_AND_INSPECTOR, target=target("check", "check_id"), body=notice_json
    ),
    "inspections_checks_findings_create": Rule(
        LIXIA_AND_INSPECTOR,
        target=target("check", "check_id"),
        body=lambda w, u, s: {"type": "finance", "description": "矩阵"},
    ),
    "inspections_checks_conclude": Rule(
        LIXIA_AND_INSPECTOR, target=target("notified", "check_id"), body=conclude_json
    ),
    "inspections_checks_orders_create": Rule(
        LIXIA_AND_INSPECTOR, target=target("check", "check_id"), body=order_body
    ),
    "inspections_checks_replace_inspector": Rule(
        LIXIA_AND_INSPECTOR,
        target=target("check", "check_id"),
        unsafe_allow=LIXIA,
        body=replace_body,
    ),
    "inspections_orders_report": Rule(
        LIXIA_AND_INSPECTOR | {"org_user"},
        target=target("order", "order_id"),
        body=lambda w, u, s: {"rectified_on": _today().isoformat()},
    ),
    "inspections_orders_verify": Rule(
        LIXIA_AND_INSPECTOR | {"org_user"},
        target=target("reported", "order_id"),
        unsafe_allow=LIXIA_AND_INSPECTOR,
        body=lambda w, u, s: {"verified_on": _today().isoformat()},
    ),
    "inspections_inspectors_list": Rule(
        frozenset(
            {
                "admin",
                "city",
                "district",
                "district_out",
                "street",
                "street_out",
                "community",
                "hub",
                "reviewer",
                "org_user",
                "org_user_out",
                "inspector",
                "expert",
                "party",
                "resident",
                "qingdao",
            }
        )
    ),
    "inspections_inspectors_create": Rule(
        PLANNERS,
        body=candidate,
        note="into the actor's own region's pool",
    ),
    "inspections_inspectors_update": Rule(
        LIXIA, target=target("entry", "inspector_id"), body=lambda w, u, s: {"department": "矩阵科"}
    ),
    "inspections_conflicts_create": Rule(
        LIXIA,
        target=target("entry", "inspector_id"),
        body=lambda w, u, s: {"organization_id": w.orgs["other"].pk, "reason": "矩阵"},
    ),
    "inspections_conflicts_withdraw": Rule(LIXIA, target=target("conflict", "conflict_id")),
    "public_inspections_plans_list": Rule(PUBLIC),
    "public_inspections_plans_detail": Rule(PUBLIC, target=target("plan", "plan_id"), **PUBLIC_OUT),
    "public_inspections_plans_verify": Rule(PUBLIC, target=target("plan", "plan_id"), **PUBLIC_OUT),
}
_ = SUPERUSER
