"""The spot-check plan's and each check's states and moves as data.

Plan: draft → committed (seed generated, its sha256 published) → drawn (objects and inspectors
drawn, population snapshot stored) → published (seed revealed, notices go out) → in_progress →
closed (every check concluded). Only the draft may be edited.

Check (one drawn organisation): drawn → notified (the scope of the check told beforehand; told
again while notified) → concluded.

The one workflow engine (``npohub.core.workflows.run_move``) makes every move, with the
``Workflow`` of each table built in ``services.plans`` and ``services.checks``. Capacities
(``permissions.plan_capacities`` / ``check_capacities``): ``manager`` (the registration
authority's bureau) moves plans; ``inspector`` (an assigned inspector or the bureau) moves
checks.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from npohub.core.workflows import Transition, transition_named, transitions_from

PLAN_KEY = "inspections.plan"
CHECK_KEY = "inspections.check"

MANAGER = "manager"
INSPECTOR = "inspector"


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COMMITTED = "committed", _("已承诺随机种子")
    DRAWN = "drawn", _("已抽取")
    PUBLISHED = "published", _("已公开种子")
    IN_PROGRESS = "in_progress", _("检查中")
    CLOSED = "closed", _("已结束")


STATE_LABELS: dict[str, Promise] = {str(s.value): s.label for s in PlanState}
# States in which the seed and the drawn lists are public.
PUBLIC_STATES = frozenset({PlanState.PUBLISHED, PlanState.IN_PROGRESS, PlanState.CLOSED})
# States in which checks are carried out and recorded.
WORKING_STATES = frozenset({PlanState.PUBLISHED, PlanState.IN_PROGRESS})


MOVES: tuple[Transition, ...] = (
    Transition(
        "commit",
        _("生成并承诺随机种子"),
        frozenset({PlanState.DRAFT}),
        PlanState.COMMITTED,
        MANAGER,
        effect="commit",
    ),
    Transition(
        "draw",
        _("抽取检查对象和检查人员"),
        frozenset({PlanState.COMMITTED}),
        PlanState.DRAWN,
        MANAGER,
        effect="draw",
    ),
    Transition(
        "publish",
        _("公开随机种子和抽查名单"),
        frozenset({PlanState.DRAWN}),
        PlanState.PUBLISHED,
        MANAGER,
        effect="publish",
    ),
    Transition(
        "start",
        _("开始检查"),
        frozenset({PlanState.PUBLISHED}),
        PlanState.IN_PROGRESS,
        MANAGER,
    ),
    Transition(
        "close",
        _("结束本轮抽查"),
        frozenset({PlanState.IN_PROGRESS}),
        PlanState.CLOSED,
        MANAGER,
        guards=("checks_concluded",),
        effect="close",
    ),
)


class CheckStatus(models.TextChoices):
    DRAWN = "drawn", _("已抽中")
    NOTIFIED = "notified", _("已告知")
    CONCLUDED = "concluded", _("已出结论")


CHECK_MOVES: tuple[Transition, ...] = (
    Transition(
        "notify",
        _("送达检查告知"),
        frozenset({CheckStatus.DRAWN, CheckStatus.NOTIFIED}),
        CheckStatus.NOTIFIED,
        INSPECTOR,
        guards=("plan_working", "notice_valid"),
    ),
    # A drawn check is refused by the guard "notice_served" (the notice comes first), with that
    # reason, after the capacity check, as before the engine.
    Transition(
        "conclude",
        _("作出检查结论"),
        frozenset({CheckStatus.DRAWN, CheckStatus.NOTIFIED}),
        CheckStatus.CONCLUDED,
        INSPECTOR,
        guards=("plan_working", "notice_served", "conclusion_valid"),
    ),
)


def move_named(name: str) -> Transition | None:
    return transition_named(MOVES, name)


def moves_from(state: str) -> list[Transition]:
    return transitions_from(MOVES, state)


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def move_label(name: str) -> str:
    move = move_named(name)
    return str(move.label) if move is not None else name
