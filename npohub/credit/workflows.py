"""Objection (异议) and credit repair (信用修复) as data: states, transitions, capacities.

``services.credit_request_transition`` is the only path that changes a request's state; it
checks the table, the actor's capacity (``applicant`` = the organisation's own account,
``bureau`` = the bureau of the organisation's region), the guards, and applies the effect.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Capacities here: applicant | bureau.
from npohub.core.workflows import Transition as Transition
from npohub.core.workflows import transition_named, transitions_from


class RS:
    FILED = "filed"
    UPHELD = "upheld"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STATE_LABELS: dict[str, Promise] = {
    RS.FILED: _("待处理"),
    RS.UPHELD: _("异议成立"),
    RS.APPROVED: _("准予修复"),
    RS.REJECTED: _("不予支持"),
    RS.WITHDRAWN: _("已撤回"),
}
OPEN_STATES = frozenset({RS.FILED})


WORKFLOWS: dict[str, tuple[Transition, ...]] = {
    "objection": (
        Transition(
            "uphold",
            _("异议成立，移出名单"),
            frozenset({RS.FILED}),
            RS.UPHELD,
            "bureau",
            guards=("listing_open",),
            effect="remove_listing",
            needs_note=True,
        ),
        Transition(
            "reject", _("异议不成立"), frozenset({RS.FILED}), RS.REJECTED, "bureau", needs_note=True
        ),
        Transition("withdraw", _("撤回"), frozenset({RS.FILED}), RS.WITHDRAWN, "applicant"),
    ),
    "repair": (
        Transition(
            "approve",
            _("核实通过，准予移出"),
            frozenset({RS.FILED}),
            RS.APPROVED,
            "bureau",
            guards=("listing_open", "repair_conditions"),
            effect="schedule_removal",
        ),
        Transition(
            "reject", _("不予修复"), frozenset({RS.FILED}), RS.REJECTED, "bureau", needs_note=True
        ),
        Transition("withdraw", _("撤回"), frozenset({RS.FILED}), RS.WITHDRAWN, "applicant"),
    ),
}


def transition_for(kind: str, name: str) -> Transition | None:
    return transition_named(WORKFLOWS.get(kind, ()), name)


def available(kind: str, state: str) -> list[Transition]:
    return transitions_from(WORKFLOWS.get(kind, ()), state)
