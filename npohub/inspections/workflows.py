"""The spot-check plan's states and moves as data, read by ``services.plan_transition``.

draft → committed (seed generated, its sha256 published) → drawn (objects and inspectors drawn,
population snapshot stored) → published (seed revealed, notices go out) → in_progress →
closed (every check concluded). Only the draft may be edited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class PlanState:
    DRAFT = "draft"
    COMMITTED = "committed"
    DRAWN = "drawn"
    PUBLISHED = "published"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


STATE_LABELS: dict[str, Promise] = {
    PlanState.DRAFT: _("草稿"),
    PlanState.COMMITTED: _("已承诺随机种子"),
    PlanState.DRAWN: _("已抽取"),
    PlanState.PUBLISHED: _("已公开种子"),
    PlanState.IN_PROGRESS: _("检查中"),
    PlanState.CLOSED: _("已结束"),
}
# States in which the seed and the drawn lists are public.
PUBLIC_STATES = frozenset({PlanState.PUBLISHED, PlanState.IN_PROGRESS, PlanState.CLOSED})
# States in which checks are carried out and recorded.
WORKING_STATES = frozenset({PlanState.PUBLISHED, PlanState.IN_PROGRESS})


@dataclass(frozen=True)
class Move:
    name: str
    label: Promise
    source: str
    target: str
    effect: str = ""


MOVES: tuple[Move, ...] = (
    Move("commit", _("生成并承诺随机种子"), PlanState.DRAFT, PlanState.COMMITTED, "commit"),
    Move("draw", _("抽取检查对象和检查人员"), PlanState.COMMITTED, PlanState.DRAWN, "draw"),
    Move("publish", _("公开随机种子和抽查名单"), PlanState.DRAWN, PlanState.PUBLISHED, "publish"),
    Move("start", _("开始检查"), PlanState.PUBLISHED, PlanState.IN_PROGRESS),
    Move("close", _("结束本轮抽查"), PlanState.IN_PROGRESS, PlanState.CLOSED, "close"),
)


def move_named(name: str) -> Move | None:
    return next((m for m in MOVES if m.name == name), None)


def moves_from(state: str) -> list[Move]:
    return [m for m in MOVES if m.source == state]


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))
