"""Permission-matrix rules for the stars app (merged into tests/test_permission_matrix.py).

The world (built on the hubs rules' world): the 历下区 platform hub with ``cast["hub"]`` as its
staff and the association ``assoc`` as its member scores ``assoc``; a foreign hub (青岛, or 章丘
for the 青岛 bureau) scores its own member. Scorecards, appeals, interview tasks and ratings
exist on both sides; award rounds are visible to every signed-in account (anyone may vote).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from npohub.accounts.tests.factories import UserFactory
from npohub.orgs.tests.factories import grant
from npohub.stars import services
from npohub.stars.models import AwardKind
from npohub.stars.selectors import month_start, shift_month
from tests.matrix import PUBLIC, SEES_ASSOC, SIGNED_IN, Rule, World, assoc
from tests.matrix_rules.hubs import _foreign_hub, _where, home_hub

STAR_STAFF = frozenset(
    {"admin", "city", "district", "district_out", "street", "street_out", "hub", "qingdao"}
)
GOVERNORS = frozenset({"admin", "city", "district"})
WORKERS = GOVERNORS | {"hub"}
BUREAUS_ALL = frozenset({"admin", "city", "district", "district_out", "qingdao"})
VOTERS = SIGNED_IN - {"org_user"}
YEAR = timezone.localdate().year - 1
LAST_MONTH = shift_month(month_start(timezone.localdate()), -1)
FULL = {"party": "2", "plan": "2", "activities": "2.5", "records": "2", "premises": "1.5"}


def _lines(total_cut: str = "2.5") -> dict[str, services.LineInput]:
    lines = {code: services.LineInput(points) for code, points in FULL.items()}
    cut = float(total_cut)
    lines["activities"] = services.LineInput(
        str(2.5 - cut), reason="未按计划开展活动", evidence="走访记录"
    )
    return lines


def _side(world: World, where: str) -> tuple[Any, Any, Any]:
    """(hub, staff, member) of the home hub or of a foreign one."""
    if where == "home":
        return home_hub(world), world.cast["hub"], world.orgs["assoc"]
    hub = _foreign_hub(world, where)
    return hub, world.cache[("foreign_staff", where)], world.cache[("foreign_member", where)]


def _card(world: World, where: str, period: dt.date = LAST_MONTH, cut: str = "2.5") -> Any:
    def make() -> Any:
        _hub, staff, member = _side(world, where)
        return services.scorecard_record(
            actor=staff, organization=member, period=period, lines=_lines(cut)
        )

    return world.once(("card", where, period), make)


def _owner(world: World, where: str) -> Any:
    if where == "home":
        return world.cast["org_user"]

    def make() -> Any:
        account = UserFactory(username=f"org_{where}", role="org_user")
        grant(account, _side(world, where)[2], "own")
        return account

    return world.once(("owner", where), make)


def _line(world: World, where: str) -> Any:
    return _card(world, where).lines.get(item__code="activities")


def _appeal(world: World, where: str) -> Any:
    return world.once(
        ("appeal", where),
        lambda: services.appeal_file(
            actor=_owner(world, where), line=_line(world, where), grounds="活动已开展"
        ),
    )


def _task(world: World, where: str, *, held: bool = False) -> Any:
    def make() -> Any:
        _hub, staff, member = _side(world, where)
        for n in (3, 2, 1):
            lines = _lines("2.5")
            lines["records"] = services.LineInput("0", reason="台账缺失", evidence="检查记录")
            services.scorecard_record(
                actor=staff, organization=member, period=shift_month(LAST_MONTH, 1 - n), lines=lines
            )
        task = member.interview_tasks.get()
        if held:
            services.interview_record(
                actor=staff, task=task, held_on=timezone.localdate(), outcome="已约谈"
            )
        return task

    return world.once(("task", where, held), make)


def _rated_year(world: World, where: str) -> Any:
    """A year of scores (three months) for the side's member."""

    def make() -> Any:
        _hub, staff, member = _side(world, where)
        for month in (3, 6, 9):
            services.scorecard_record(
                actor=staff, organization=member, period=dt.date(YEAR, month, 1), lines=_lines("0")
            )
        return member

    return world.once(("year", where), make)


def _rating(world: World, where: str) -> Any:
    def make() -> Any:
        member = _rated_year(world, where)
        return services.star_assessment_record(
            actor=world.cast["admin"],
            organization=member,
            year=YEAR,
            data=services.StarInput("90", "90", "90", party_building_passed=True),
        )

    return world.once(("rating", where), make)


def _round(world: World, where: str, *, state: str = "nominating") -> Any:
    """A round of 历下区 (home), of 济南 (city) or of the foreign side's district; nominated
    with its member when it must vote or finish."""

    def make() -> Any:
        today = timezone.localdate()
        region = {"home": "370102000000", "city": "370100000000"}.get(where)
        if region is None:
            region = _side(world, where)[2].address_code[:6].ljust(12, "0")
        item = services.award_round_create(
            actor=world.cast["admin"],
            data=services.RoundInput(
                title=f"{where}十佳社会组织评选",
                kind=AwardKind.TOP_TEN,
                year=today.year,
                region_code=region,
                vote_opens=today,
                vote_closes=today + dt.timedelta(days=10),
            ),
        )
        if state != "empty":
            member = world.orgs["assoc"] if where in ("home", "city") else _side(world, where)[2]
            nomination = services.nomination_create(
                actor=world.cast["admin"], award_round=item, organization=member, statement="优秀"
            )
            world.cache[("nomination", where, state)] = nomination
        for move in {"voting": ["open_voting"], "finished": ["open_voting", "finish"]}.get(
            state, []
        ):
            services.award_round_transition(
                actor=world.cast["admin"], award_round=item, transition=move
            )
        return item

    return world.once(("round", where, state), make)


def _target(param: str, build: Any, **extra: Any) -> Any:
    def target(world: World, user: str) -> dict[str, dict[str, Any]]:
        return {
            "in": {param: build(world, "home").pk, **extra},
            "out": {param: build(world, _where(user)).pk, **extra},
        }

    return target


def _with(*makers: Any) -> Any:
    """For endpoints without parameters: build what the request needs first."""

    def target(world: World, user: str) -> dict[str, dict[str, Any]]:
        for make in makers:
            make(world)
        return {"in": {}, "out": {}}

    return target


def scoring_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    hub, _staff, member = _side(world, "home")
    foreign, _fs, foreign_member = _side(world, _where(user))
    return {
        "in": {"hub_pk": hub.pk, "org_id": member.pk},
        "out": {"hub_pk": foreign.pk, "org_id": foreign_member.pk},
    }


def row_body(world: World, user: str, scope: str) -> dict[str, Any]:
    org = world.orgs["assoc"]
    data = {f"o{org.pk}-item_{code}": points for code, points in FULL.items()}
    data[f"o{org.pk}-item_activities"] = "1"
    data.update({f"o{org.pk}-reason": "活动不足", f"o{org.pk}-evidence": "走访记录"})
    return data


def member_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {
        "in": {"org_id": _rated_year(world, "home").pk},
        "out": {"org_id": _rated_year(world, _where(user)).pk},
    }


def vote_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    _round(world, "home", state="voting")
    _round(world, "city", state="voting")
    return {
        "in": {"pk": world.cache[("nomination", "home", "voting")].pk},
        "out": {"pk": world.cache[("nomination", "city", "voting")].pk},
    }


def api_vote_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    built = vote_target(world, user)
    return {scope: {"nomination_id": kw["pk"]} for scope, kw in built.items()}


def round_target(param: str, state: str, **extra: Any) -> Any:
    return _target(param, lambda w, where: _round(w, where, state=state), **extra)


def finished_target(world: World, user: str) -> dict[str, dict[str, Any]]:
    return {
        "in": {"round_id": _round(world, "home", state="finished").pk},
        "out": {"round_id": _round(world, "city", state="finished").pk},
    }


def today() -> str:
    return timezone.localdate().isoformat()


def award_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "title": "优秀社会组织评选",
        "kind": "excellent",
        "year": YEAR + 1,
        "winners": 20,
        "vote_opens": today(),
        "vote_closes": today(),
    }


def scorecard_api_body(world: World, user: str, scope: str) -> dict[str, Any]:
    home_hub(world)
    lines = [{"code": code, "points": points} for code, points in FULL.items()]
    lines[3] = {"code": "records", "points": "1", "reason": "台账不全", "evidence": "检查记录"}
    return {
        "organization_id": world.orgs["assoc"].pk,
        "period": LAST_MONTH.isoformat(),
        "lines": lines,
    }


def rating_body(world: World, user: str, scope: str) -> dict[str, Any]:
    _rated_year(world, "home")
    return {
        "organization_id": world.orgs["assoc"].pk,
        "year": YEAR,
        "self_score": "90",
        "peer_score": "80",
        "resident_score": "85",
        "party_building_passed": True,
    }


def template_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "name": "历下区月度评分表",
        "region_code": "370102",
        "items": [
            {"code": "plan", "name": "工作计划", "max_points": "4"},
            {"code": "hygiene", "name": "卫生清洁", "max_points": "6"},
        ],
    }


TEMPLATE_REGIONS = {"home": "370102", "qingdao": "370202", "zhangqiu": "370114"}


def _scorecard_template(world: World, where: str, *, active: bool = True) -> Any:
    """A scorecard of 历下区 (home) or of a foreign district; with ``active=False`` an earlier
    version, replaced by a later one."""

    def version(name: str) -> Any:
        return services.scorecard_template_create(
            actor=world.cast["admin"],
            name=name,
            region_code=TEMPLATE_REGIONS[where],
            items=[
                services.ItemInput("plan", "工作计划", Decimal("4")),
                services.ItemInput("hygiene", "卫生清洁", Decimal("6")),
            ],
        )

    def make() -> Any:
        first = version(f"{where}月度评分表（第一版）")
        if active:
            return first
        version(f"{where}月度评分表（第二版）")
        return first

    return world.once(("scorecard_template", where, active), make)


def template_form(world: World, user: str, scope: str) -> dict[str, Any]:
    """The new-scorecard page for the user's own region (a bureau's choices are its subtree)."""
    account = world.user(user)
    rows = [("工作计划", "4"), ("卫生清洁", "6")]
    data = {
        "name": "月度评分表",
        "region_code": getattr(account, "scope_prefix", "") or "370102",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
    }
    for index, (name, points) in enumerate(rows):
        data.update(
            {
                f"items-{index}-sort_order": str(index + 1),
                f"items-{index}-name": name,
                f"items-{index}-max_points": points,
            }
        )
    return data


def award_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "title": "历下区优秀社会组织评选",
        "kind": "excellent",
        "year": YEAR + 1,
        "region_code": "370102000000",
        "vote_opens": today(),
        "vote_closes": today(),
        "winners": 5,
    }


POLICY: dict[str, Any] = {
    # --- pages ---
    "stars:scoring": Rule(frozenset({"hub"}), target=_with(home_hub)),
    "stars:scoring-save": Rule(
        frozenset({"hub"}),
        target=scoring_target,
        allow_out=frozenset(),
        methods=("POST",),
        body=row_body,
        query={"month": LAST_MONTH.strftime("%Y-%m")},
    ),
    "stars:scorecard-list": Rule(STAR_STAFF),
    "stars:scorecard-detail": Rule(SEES_ASSOC, target=_target("pk", _card)),
    "stars:my-scorecards": Rule(frozenset({"org_user", "org_user_out"})),
    "stars:appeal-create": Rule(
        frozenset({"org_user"}),
        target=_target("line_pk", _line),
        allow_out=frozenset(),
        methods=("POST",),
        body=lambda w, u, s: {"grounds": "活动已开展"},
        form_denial=True,
        note="others who see the scorecard are sent back with the refusal",
    ),
    "stars:appeal-list": Rule(STAR_STAFF),
    "stars:appeal-detail": Rule(SEES_ASSOC, target=_target("pk", _appeal)),
    "stars:appeal-transition": Rule(
        GOVERNORS,
        target=_target("pk", _appeal, transition="uphold"),
        methods=("POST",),
        body=lambda w, u, s: {"note": "维持原评分"},
        form_denial=True,
    ),
    "stars:interview-list": Rule(STAR_STAFF),
    "stars:interview-detail": Rule(WORKERS, target=_target("pk", _task)),
    "stars:interview-record": Rule(
        WORKERS,
        target=_target("pk", _task),
        methods=("POST",),
        body=lambda w, u, s: {"held_on": today(), "outcome": "已约谈负责人"},
        form_denial=True,
    ),
    "stars:interview-resolve": Rule(
        WORKERS,
        target=_target("pk", lambda w, where: _task(w, where, held=True)),
        methods=("POST",),
        body=lambda w, u, s: {"rectified": "no", "note": "整改不到位"},
        form_denial=True,
    ),
    "stars:star-list": Rule(STAR_STAFF),
    "stars:star-publish": Rule(
        GOVERNORS,
        target=_with(lambda w: _rating(w, "home")),
        methods=("POST",),
        body=lambda w, u, s: {"year": YEAR, "region": "370102"},
        form_denial=True,
        note="staff outside 历下区 are sent back with the refusal",
    ),
    "stars:star-assess": Rule(
        WORKERS,
        target=member_target,
        methods=("GET", "POST"),
        body=lambda w, u, s: {
            "party_building_passed": "yes",
            "self_score": "90",
            "peer_score": "80",
            "resident_score": "85",
        },
        query={"year": YEAR},
    ),
    "stars:award-list": Rule(SIGNED_IN),
    "stars:award-create": Rule(
        BUREAUS_ALL, methods=("GET", "POST"), body=award_form, note="each bureau for its region"
    ),
    "stars:award-detail": Rule(
        SIGNED_IN, target=round_target("pk", "nominating"), allow_out=SIGNED_IN
    ),
    "stars:nomination-create": Rule(
        WORKERS,
        target=round_target("pk", "empty"),
        allow_out=frozenset(),
        methods=("POST",),
        body=lambda w, u, s: (
            home_hub(w),
            {"organization": w.orgs["assoc"].pk, "statement": "优秀"},
        )[1],
        form_denial=True,
        hidden_out=False,
        note="rounds are visible to all; a foreign round refuses 历下区's association",
    ),
    "stars:award-transition": Rule(
        GOVERNORS,
        target=round_target("pk", "nominating", transition="open_voting"),
        methods=("POST",),
        form_denial=True,
        hidden_out=False,
    ),
    "stars:vote": Rule(
        VOTERS,
        target=vote_target,
        allow_out=SIGNED_IN,
        methods=("POST",),
        form_denial=True,
        hidden_out=False,
        note="anyone signed in votes once per nominee; never for their own organisation",
    ),
    "stars:template-list": Rule(STAR_STAFF),
    "stars:template-create": Rule(
        BUREAUS_ALL,
        methods=("GET", "POST"),
        body=template_form,
        note="each bureau for its own region and the districts below it",
    ),
    "stars:template-activate": Rule(
        GOVERNORS,
        target=_target("pk", lambda w, where: _scorecard_template(w, where, active=False)),
        methods=("POST",),
        form_denial=True,
        hidden_out=False,
        note="every scorer sees the scorecards; only the locality's bureau changes them",
    ),
    "stars:template-retire": Rule(
        GOVERNORS,
        target=_target("pk", _scorecard_template),
        methods=("POST",),
        form_denial=True,
        hidden_out=False,
        note="every scorer sees the scorecards; only the locality's bureau changes them",
    ),
    "portal:stars-list": Rule(PUBLIC),
    "portal:stars-awards": Rule(PUBLIC),
    # --- API ---
    "stars_templates_list": Rule(STAR_STAFF),
    "stars_templates_create": Rule(GOVERNORS, body=template_body),
    "stars_scorecards_list": Rule(SIGNED_IN),
    "stars_scorecards_record": Rule(frozenset({"hub"}), body=scorecard_api_body),
    "stars_scorecards_detail": Rule(SEES_ASSOC, target=_target("scorecard_id", _card)),
    "stars_appeals_create": Rule(
        frozenset({"org_user"}),
        target=_target("line_id", _line),
        allow_out=frozenset(),
        body=lambda w, u, s: {"grounds": "活动已开展"},
    ),
    "stars_appeals_list": Rule(SIGNED_IN),
    "stars_appeals_detail": Rule(SEES_ASSOC, target=_target("appeal_id", _appeal)),
    "stars_appeals_transition": Rule(
        GOVERNORS,
        target=_target("appeal_id", _appeal),
        body=lambda w, u, s: {"transition": "adjust", "note": "属实", "adjusted_points": "2"},
    ),
    "stars_interviews_list": Rule(SIGNED_IN),
    "stars_interviews_detail": Rule(WORKERS, target=_target("task_id", _task)),
    "stars_interviews_record": Rule(
        WORKERS,
        target=_target("task_id", _task),
        body=lambda w, u, s: {"held_on": today(), "outcome": "已约谈"},
    ),
    "stars_interviews_resolve": Rule(
        WORKERS,
        target=_target("task_id", lambda w, where: _task(w, where, held=True)),
        body=lambda w, u, s: {"rectified": False, "note": "整改不到位"},
    ),
    "stars_removal_flags_list": Rule(SIGNED_IN),
    "stars_ratings_list": Rule(SIGNED_IN, query={"year": YEAR}),
    "stars_ratings_record": Rule(WORKERS, body=rating_body),
    "stars_ratings_publish": Rule(
        GOVERNORS,
        target=_with(lambda w: _rating(w, "home")),
        body=lambda w, u, s: {"year": YEAR, "region": "370102"},
    ),
    "stars_priority": Rule(SEES_ASSOC, target=assoc("org_id"), query={"year": YEAR}),
    "stars_awards_list": Rule(SIGNED_IN),
    "stars_awards_create": Rule(GOVERNORS, body=award_json),
    "stars_awards_detail": Rule(
        SIGNED_IN, target=round_target("round_id", "nominating"), allow_out=SIGNED_IN
    ),
    "stars_nominations_create": Rule(
        WORKERS,
        target=round_target("round_id", "empty"),
        allow_out=frozenset(),
        body=lambda w, u, s: (
            home_hub(w),
            {"organization_id": w.orgs["assoc"].pk, "statement": "优秀"},
        )[1],
        hidden_out=False,
    ),
    "stars_awards_transition": Rule(
        GOVERNORS,
        target=round_target("round_id", "nominating"),
        body=lambda w, u, s: {"transition": "open_voting"},
        hidden_out=False,
    ),
    "stars_votes_cast": Rule(VOTERS, target=api_vote_target, allow_out=SIGNED_IN, hidden_out=False),
    "public_stars_ratings_list": Rule(PUBLIC, query={"year": YEAR}),
    "public_stars_awards_list": Rule(PUBLIC),
    "public_stars_awards_detail": Rule(PUBLIC, target=finished_target, allow_out=PUBLIC),
}
