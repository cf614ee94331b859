"""Permission-matrix rules for the ratings app (merged into tests/test_permission_matrix.py).

Objects "in" scope sit in 历下区 (the association of the shared cast, a round run for 历下区);
objects "out" of scope belong to the foreign association (青岛, or 章丘 for the 青岛 bureau).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from npohub.accounts.models import Role, User
from npohub.ratings import selectors
from npohub.ratings.models import (
    Application,
    Assignment,
    Expert,
    Grade,
    Objection,
    Round,
    Score,
)
from npohub.ratings.services import _copy_defaults
from tests.matrix import BUREAU, PUBLIC, SIGNED_IN, Rule, World, foreign_org

BUREAUS_ALL = frozenset({"admin", "city", "district", "district_out", "qingdao"})
JINAN_BUREAUS = frozenset({"admin", "city", "district", "district_out"})
OWNER = frozenset({"org_user"})
EXPERT = frozenset({"expert"})


def _org(world: World, scope: str, user: str) -> Any:
    return world.orgs["assoc"] if scope == "in" else foreign_org(world, user)


def _round(world: World, org: Any, state: str, **extra: Any) -> Round:
    def make() -> Round:
        round = Round.objects.create(
            name=f"矩阵评估{org.pk}{state}",
            year=2025,
            region=org.authority_region,
            kinds=["association"],
            state=state,
            thresholds={"5A": 900, "4A": 800, "3A": 700, "2A": 600, "1A": 0},
            created_by=world.cast["admin"],
            **extra,
        )
        _copy_defaults(round, "association")
        return round

    return world.once(("round", org.pk, state), make)


def _app(world: World, org: Any, round_state: str, state: str = "submitted", **extra: Any) -> Any:
    def make() -> Application:
        return Application.objects.create(
            round=_round(world, org, round_state),
            organization=org,
            applied_on=dt.date(2025, 8, 1),
            state=state,
            created_by=world.cast["admin"],
            **extra,
        )

    return world.once(("app", org.pk, round_state), make)


def _pool_user(world: World, name: str) -> User:
    return world.once(
        ("user", name),
        lambda: User.objects.create(
            username=name, role=Role.EXPERT, region=world.regions["jinan"], display_name=name
        ),
    )


def _expert(world: World, user: User, region: Any = None) -> Expert:
    return world.once(
        ("expert", user.pk),
        lambda: Expert.objects.create(user=user, region=region or world.regions["jinan"]),
    )


def cast_expert(world: World) -> Expert:
    return _expert(world, world.cast["expert"])


def _assignment(world: World, org: Any, expert: Expert, *, filled: bool) -> Assignment:
    def make() -> Assignment:
        app = _app(world, org, "scoring", "eligible")
        made = Assignment.objects.create(
            application=app,
            expert=expert,
            assigned_by=world.cast["admin"],
            assigned_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC),
        )
        if filled:
            for leaf in selectors.leaves_of(app.round, "association"):
                Score.objects.create(assignment=made, indicator=leaf, points=leaf.max_points)
        return made

    return world.once(("assignment", org.pk, expert.pk, filled), make)


def round_target(param: str, state: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        return {
            "in": {param: _round(world, world.orgs["assoc"], state).pk},
            "out": {param: _round(world, foreign_org(world, user), state).pk},
        }

    return build


def app_target(param: str, round_state: str, state: str = "submitted", **extra: Any) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        return {
            "in": {param: _app(world, world.orgs["assoc"], round_state, state, **extra).pk},
            "out": {param: _app(world, foreign_org(world, user), round_state, state, **extra).pk},
        }

    return build


def indicator_target(param: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        inside = _round(world, world.orgs["assoc"], "open")
        outside = _round(world, foreign_org(world, user), "open")
        return {
            "in": {param: inside.indicators.get(code="4.3").pk},
            "out": {param: outside.indicators.get(code="4.3").pk},
        }

    return build


def assignment_target(param: str, *, filled: bool) -> Any:
    """The cast expert's task on the association (in); another expert's task abroad (out)."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        other = _expert(world, _pool_user(world, "matrix_expert_b"))
        inside = _assignment(world, world.orgs["assoc"], cast_expert(world), filled=filled)
        outside = _assignment(world, foreign_org(world, user), other, filled=filled)
        return {"in": {param: inside.pk}, "out": {param: outside.pk}}

    return build


def objection_target(param: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        def make(org: Any) -> Objection:
            app = _app(
                world, org, "objections", "finalised", final_total=Decimal("820"), level="4A"
            )
            return world.once(
                ("objection", org.pk),
                lambda: Objection.objects.create(
                    application=app,
                    filed_by=world.cast["admin"],
                    filed_on=dt.date(2025, 9, 1),
                    reasons="得分有误",
                    due_on=dt.date(2025, 9, 16),
                ),
            )

        return {
            "in": {param: make(world.orgs["assoc"]).pk},
            "out": {param: make(foreign_org(world, user)).pk},
        }

    return build


def expert_target(param: str) -> Any:
    """The cast expert's own pool entry (in); a 青岛 pool entry, or another Jinan entry for the
    青岛 bureau (out)."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        if user == "qingdao":
            outside = _expert(world, _pool_user(world, "matrix_expert_c"))
        else:
            outside = _expert(
                world, _pool_user(world, "matrix_expert_qd"), world.regions["qingdao"]
            )
        return {"in": {param: cast_expert(world).pk}, "out": {param: outside.pk}}

    return build


def grade_target(param: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        def make(org: Any) -> Grade:
            return world.once(
                ("grade", org.pk),
                lambda: Grade.objects.create(
                    organization=org,
                    level="4A",
                    awarded_on=dt.date(2025, 1, 1),
                    valid_until=dt.date(2029, 12, 31),
                ),
            )

        return {
            "in": {param: make(world.orgs["assoc"]).pk},
            "out": {param: make(foreign_org(world, user)).pk},
        }

    return build


def round_json(world: World, user: str, scope: str) -> dict[str, Any]:
    org = _org(world, scope, user)
    return {
        "name": "矩阵评估",
        "year": 2025,
        "region_code": org.authority_region.code,
        "kinds": ["association"],
    }


def panel_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"expert_id": _expert(world, _pool_user(world, "matrix_panel")).pk}


def scores_json(world: World, user: str, scope: str) -> dict[str, Any]:
    round = _round(world, world.orgs["assoc"], "scoring")
    leaf = selectors.leaves_of(round, "association")[0]
    return {"scores": [{"indicator_id": leaf.pk, "points": "20", "comment": "证照齐全"}]}


def expert_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"user_id": _pool_user(world, "matrix_new_expert").pk, "region_code": "370100000000"}


def conflict_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"organization_id": world.orgs["assoc"].pk, "reason": "曾任顾问"}


def transition_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    built = round_target("pk", "open")(world, user)
    for scope in built.values():
        scope["transition"] = "open_applications"
    return built


def score_form(world: World, user: str, scope: str) -> dict[str, Any]:
    round = _round(world, world.orgs["assoc"], "scoring")
    leaf = selectors.leaves_of(round, "association")[0]
    return {f"points_{leaf.pk}": "20", f"comment_{leaf.pk}": "证照齐全", "action": "save"}


PAGES: dict[str, Rule] = {
    "ratings:round-list": Rule(BUREAUS_ALL | {"org_user", "org_user_out", "expert"}),
    "ratings:round-create": Rule(
        BUREAUS_ALL,
        methods=("GET", "POST"),
        body=lambda w, u, s: {
            "name": "矩阵评估",
            "year": "2025",
            "region": getattr(getattr(w.cast.get(u), "region", None), "code", "370100000000"),
            "kinds": ["association"],
        },
    ),
    "ratings:round-detail": Rule(BUREAU, target=round_target("pk", "open")),
    "ratings:round-transition": Rule(BUREAU, target=transition_target, methods=("POST",)),
    "ratings:round-committee": Rule(BUREAU, target=round_target("pk", "committee")),
    "ratings:round-tree": Rule(
        BUREAU,
        target=round_target("pk", "open"),
        methods=("GET", "POST"),
        body=lambda w, u, s: {"code": "5", "name": "加分项", "max_points": "50"},
    ),
    "ratings:indicator-edit": Rule(
        BUREAU,
        target=indicator_target("pk"),
        methods=("GET", "POST"),
        body=lambda w, u, s: {"code": "4.3", "name": "表彰奖励", "max_points": "40"},
    ),
    "ratings:indicator-delete": Rule(BUREAU, target=indicator_target("pk"), methods=("POST",)),
    "ratings:application-create": Rule(
        BUREAU | {"org_user", "org_user_out"},
        target=round_target("pk", "applications"),
        methods=("GET", "POST"),
        unsafe_allow=BUREAU | OWNER,
        body=lambda w, u, s: {"organization": str(_org(w, s, u).pk)},
        form_denial=True,
        note="another organization's account sees the round but not the association (form error)",
    ),
    "ratings:application-detail": Rule(BUREAU | OWNER, target=app_target("pk", "applications")),
    "ratings:application-check": Rule(
        BUREAU | OWNER,
        target=app_target("pk", "applications"),
        methods=("POST",),
        unsafe_allow=BUREAU,
        form_denial=True,
    ),
    "ratings:panel-assign": Rule(
        BUREAU | OWNER,
        target=app_target("pk", "eligibility", "eligible"),
        methods=("POST",),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"expert": str(panel_json(w, u, s)["expert_id"])},
        form_denial=True,
    ),
    "ratings:application-finalise": Rule(
        BUREAU | OWNER,
        target=app_target("pk", "committee", "eligible", panel_total=Decimal("850")),
        methods=("POST",),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"final_total": "", "note": ""},
        form_denial=True,
    ),
    "ratings:objection-create": Rule(
        BUREAU | OWNER,
        target=app_target("pk", "publication", "finalised", level="4A"),
        methods=("POST",),
        unsafe_allow=OWNER,
        allow_out=frozenset(),
        hidden_out=False,
        body=lambda w, u, s: {"reasons": "社会评价得分未计入表彰"},
        form_denial=True,
    ),
    "ratings:objection-decide": Rule(
        BUREAU,
        target=objection_target("pk"),
        methods=("POST",),
        body=lambda w, u, s: {
            "upheld": "0",
            "decision": "经复核，原评分无误。",
            "votes_for": "1",
            "votes_against": "6",
        },
    ),
    "ratings:assignment-list": Rule(frozenset({"admin", "expert"})),
    "ratings:assignment-score": Rule(
        BUREAU | EXPERT,
        target=assignment_target("pk", filled=False),
        methods=("GET", "POST"),
        unsafe_allow=EXPERT,
        hidden_out=False,
        body=score_form,
        form_denial=True,
        note="the bureau sees the task; saving is refused on the page",
    ),
    "ratings:expert-list": Rule(
        BUREAUS_ALL,
        methods=("GET", "POST"),
        body=lambda w, u, s: {"user": str(_pool_user(w, "matrix_new_expert").pk)},
    ),
    "ratings:conflict-create": Rule(
        JINAN_BUREAUS | EXPERT,
        target=expert_target("pk"),
        methods=("POST",),
        body=lambda w, u, s: {"organization_id": str(w.orgs["assoc"].pk), "reason": "曾任顾问"},
    ),
    "ratings:grade-list": Rule(BUREAUS_ALL),
    "ratings:grade-downgrade": Rule(
        BUREAU,
        target=grade_target("pk"),
        methods=("POST",),
        body=lambda w, u, s: {"reason": "受到警告"},
    ),
    "portal:ratings-grades": Rule(PUBLIC, query={"level": "4A"}),
}

POLICY: dict[str, Rule] = {
    **PAGES,
    # --- API: rounds and trees ---
    "ratings_rounds_list": Rule(SIGNED_IN),
    "ratings_rounds_create": Rule(BUREAU, body=round_json, scoped_body=True),
    "ratings_rounds_detail": Rule(BUREAU, target=round_target("round_id", "open")),
    "ratings_rounds_transition": Rule(
        BUREAU,
        target=round_target("round_id", "open"),
        body=lambda w, u, s: {"transition": "open_applications"},
    ),
    "ratings_indicators_list": Rule(BUREAU, target=round_target("round_id", "open")),
    "ratings_indicators_create": Rule(
        BUREAU,
        target=round_target("round_id", "open"),
        body=lambda w, u, s: {
            "kind": "association",
            "code": "5",
            "name": "加分项",
            "max_points": 50,
        },
    ),
    "ratings_indicators_update": Rule(
        BUREAU,
        target=indicator_target("indicator_id"),
        body=lambda w, u, s: {"code": "4.3", "name": "表彰奖励", "max_points": 40},
        note="the audit event is the change",
    ),
    "ratings_indicators_delete": Rule(BUREAU, target=indicator_target("indicator_id")),
    # --- API: applications ---
    "ratings_applications_list": Rule(
        BUREAU | {"org_user", "org_user_out"}, target=round_target("round_id", "applications")
    ),
    "ratings_applications_create": Rule(
        BUREAU | {"org_user", "org_user_out"},
        target=round_target("round_id", "applications"),
        unsafe_allow=BUREAU | OWNER,
        body=lambda w, u, s: {"organization_id": _org(w, s, u).pk},
    ),
    "ratings_applications_detail": Rule(
        BUREAU | OWNER, target=app_target("application_id", "applications")
    ),
    "ratings_applications_check": Rule(
        BUREAU | OWNER,
        target=app_target("application_id", "applications"),
        unsafe_allow=BUREAU,
    ),
    "ratings_panel_assign": Rule(
        BUREAU | OWNER,
        target=app_target("application_id", "eligibility", "eligible"),
        unsafe_allow=BUREAU,
        body=panel_json,
    ),
    "ratings_applications_finalise": Rule(
        BUREAU | OWNER,
        target=app_target("application_id", "committee", "eligible", panel_total=Decimal("850")),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"note": ""},
    ),
    "ratings_objections_create": Rule(
        BUREAU | OWNER,
        target=app_target("application_id", "publication", "finalised", level="4A"),
        unsafe_allow=OWNER,
        allow_out=frozenset(),
        hidden_out=False,
        note="the superuser sees every application but is not the applicant (403)",
        body=lambda w, u, s: {"reasons": "社会评价得分未计入表彰"},
    ),
    "ratings_objections_decide": Rule(
        BUREAU | OWNER,
        target=objection_target("objection_id"),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {
            "upheld": False,
            "decision": "经复核，原评分无误。",
            "votes_for": 1,
            "votes_against": 6,
        },
    ),
    # --- API: scoring ---
    "ratings_assignments_list": Rule(SIGNED_IN),
    "ratings_assignments_detail": Rule(
        BUREAU | EXPERT, target=assignment_target("assignment_id", filled=False)
    ),
    "ratings_scores_save": Rule(
        BUREAU | EXPERT,
        target=assignment_target("assignment_id", filled=False),
        unsafe_allow=EXPERT,
        hidden_out=False,
        note="the superuser sees every task but only its expert scores (403)",
        body=scores_json,
    ),
    "ratings_assignments_submit": Rule(
        BUREAU | EXPERT,
        target=assignment_target("assignment_id", filled=True),
        unsafe_allow=EXPERT,
        hidden_out=False,
        note="the superuser sees every task but only its expert scores (403)",
    ),
    # --- API: the expert pool ---
    "ratings_experts_list": Rule(BUREAUS_ALL),
    "ratings_experts_create": Rule(JINAN_BUREAUS, body=expert_json),
    "ratings_conflicts_create": Rule(
        JINAN_BUREAUS | EXPERT, target=expert_target("expert_id"), body=conflict_json
    ),
    "ratings_affiliations_create": Rule(
        JINAN_BUREAUS | EXPERT,
        target=expert_target("expert_id"),
        body=lambda w, u, s: {
            "organization_id": w.orgs["assoc"].pk,
            "position": "理事",
            "left_on": "2022-01-01",
        },
    ),
    # --- API: grades ---
    "ratings_grades_list": Rule(SIGNED_IN),
    "ratings_grades_downgrade": Rule(
        frozenset(
            {"admin", "city", "district", "street", "community", "hub", "reviewer", "org_user"}
        ),
        target=grade_target("grade_id"),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"reason": "受到警告处罚", "on": "2025-06-01"},
    ),
    "ratings_grades_track": Rule(
        frozenset(
            {"admin", "city", "district", "street", "community", "hub", "reviewer", "org_user"}
        ),
        target=grade_target("grade_id"),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"certificate_issued_on": "2025-01-15"},
    ),
    "ratings_grades_review": Rule(
        BUREAUS_ALL, body=lambda w, u, s: {"on": "2025-06-01"}, writes=False
    ),
    # --- public ---
    "public_ratings_grades_list": Rule(PUBLIC, query={"level": "4A"}),
}
