"""The grade-assessment round as data: states, transitions, who may make them, guards, effects.

``services.round_transition`` is the only path that changes a round's state: it checks the
table, the actor (the bureau that runs the round), runs the named guards and the named effect,
and writes a ``RoundStateChange`` row and an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class RS(models.TextChoices):
    OPEN = "open", _("筹备（编制指标）")
    APPLICATIONS = "applications", _("受理申报")
    ELIGIBILITY = "eligibility", _("资格审查")
    SCORING = "scoring", _("专家评分")
    COMMITTEE = "committee", _("评估委员会审定")
    PUBLICATION = "publication", _("结果公示")
    OBJECTIONS = "objections", _("异议复核")
    FINAL = "final", _("已公告")


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any  # a lazy translation
    source: str
    target: str
    guards: tuple[str, ...] = ()
    effect: str = ""


TRANSITIONS: tuple[Transition, ...] = (
    Transition("open_applications", _("开始受理申报"), RS.OPEN, RS.APPLICATIONS, ("tree_valid",)),
    Transition(
        "close_applications",
        _("截止申报并审查资格"),
        RS.APPLICATIONS,
        RS.ELIGIBILITY,
        ("has_applications",),
        "check_eligibility",
    ),
    Transition(
        "start_scoring", _("开始专家评分"), RS.ELIGIBILITY, RS.SCORING, ("panels_complete",)
    ),
    Transition(
        "close_scoring",
        _("结束评分，提交评估委员会"),
        RS.SCORING,
        RS.COMMITTEE,
        ("scores_submitted",),
        "compute_results",
    ),
    Transition(
        "publish",
        _("公示评估结果"),
        RS.COMMITTEE,
        RS.PUBLICATION,
        ("all_finalised",),
        "open_comment",
    ),
    Transition("close_comment", _("公示期满，复核异议"), RS.PUBLICATION, RS.OBJECTIONS),
    Transition(
        "finalise",
        _("公告并授予等级"),
        RS.OBJECTIONS,
        RS.FINAL,
        ("objections_decided",),
        "award_grades",
    ),
)

BY_NAME = {t.name: t for t in TRANSITIONS}
# States in which the round's indicator tree may still change.
TREE_EDITABLE = frozenset({RS.OPEN, RS.APPLICATIONS, RS.ELIGIBILITY})
# States in which the results are public to the applicant (and objections may be filed).
RESULTS_VISIBLE = frozenset({RS.PUBLICATION, RS.OBJECTIONS, RS.FINAL})


def available(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == state]


def transition_for(name: str) -> Transition | None:
    return BY_NAME.get(name)


def state_label(state: str) -> str:
    return str(RS(state).label) if state in RS.values else state
