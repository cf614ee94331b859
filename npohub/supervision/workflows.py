"""The annual-report workflow as data: states, transitions, who may make them.

One service (``services.report_transition``) reads this table. A transition names the
*capacity* that may make it (``organization`` — the organisation's own account, ``supervisor``
— its business-supervisory unit (业务主管单位), ``bureau`` — the registering authority), the
*route* it applies to (``dual``: dual-managed organisations go through the supervisory unit
first; ``direct``: directly registered ones file straight with the bureau; ``any``), the checks
it runs and whether a note is required.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from npohub.core.workflows import Transition as CoreTransition


class S:
    DRAFT = "draft"
    SUPERVISOR_REVIEW = "supervisor_review"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    CONCLUDED = "concluded"
    PUBLISHED = "published"


STATE_LABELS: dict[str, Promise] = {
    S.DRAFT: _("填报中"),
    S.SUPERVISOR_REVIEW: _("待业务主管单位初审"),
    S.SUBMITTED: _("待登记管理机关审查"),
    S.RETURNED: _("已退回修改"),
    S.CONCLUDED: _("已作出结论"),
    S.PUBLISHED: _("结论已公告"),
}
# The organisation holds the report (may edit sections) in these states.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
# The report has reached the registering authority in these states.
AT_BUREAU_STATES = frozenset({S.SUBMITTED, S.CONCLUDED, S.PUBLISHED})


@dataclass(frozen=True)
class Transition(CoreTransition):
    """A report move; capacities: organization | supervisor | bureau."""

    route: str = "any"  # any | dual | direct
    validate: bool = False  # the content must pass sections.validate first
    needs_conclusion: bool = False
    reaches_bureau: bool = False  # sets ``bureau_received_on`` (the date the deadline judges)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "submit",
        _("提交业务主管单位初审"),
        frozenset({S.DRAFT, S.RETURNED}),
        S.SUPERVISOR_REVIEW,
        "organization",
        route="dual",
        validate=True,
    ),
    Transition(
        "submit",
        _("提交登记管理机关"),
        frozenset({S.DRAFT, S.RETURNED}),
        S.SUBMITTED,
        "organization",
        route="direct",
        validate=True,
        reaches_bureau=True,
    ),
    Transition(
        "supervisor_approve",
        _("初审同意，报送登记管理机关"),
        frozenset({S.SUPERVISOR_REVIEW}),
        S.SUBMITTED,
        "supervisor",
        route="dual",
        reaches_bureau=True,
    ),
    Transition(
        "supervisor_return",
        _("初审退回修改"),
        frozenset({S.SUPERVISOR_REVIEW}),
        S.RETURNED,
        "supervisor",
        route="dual",
        needs_note=True,
    ),
    Transition(
        "return",
        _("退回修改"),
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        "bureau",
        needs_note=True,
    ),
    Transition(
        "conclude",
        _("作出年检结论"),
        frozenset({S.SUBMITTED}),
        S.CONCLUDED,
        "bureau",
        needs_conclusion=True,
    ),
    Transition(
        "publish",
        _("公告年检结论"),
        frozenset({S.CONCLUDED}),
        S.PUBLISHED,
        "bureau",
    ),
    # Rule 27: a conclusion may be re-opened when new problems come to light (STNJ25); the
    # bureau states why and decides again.
    Transition(
        "reopen",
        _("重新审查（调整结论）"),
        frozenset({S.CONCLUDED, S.PUBLISHED}),
        S.SUBMITTED,
        "bureau",
        needs_note=True,
    ),
)
TRANSITION_NAMES = tuple(dict.fromkeys(t.name for t in TRANSITIONS))


def transition_for(name: str, *, route: str) -> Transition | None:
    """The transition called ``name`` for a report on ``route`` (``dual`` or ``direct``)."""
    return next(
        (t for t in TRANSITIONS if t.name == name and t.route in ("any", route)),
        None,
    )


def available(state: str, *, route: str) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.sources and t.route in ("any", route)]


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))
