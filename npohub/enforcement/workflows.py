"""Enforcement as data: complaint and penalty-case workflows, penalty types and legal bases.

The states (``ComplaintState``, ``CaseState``) and the tables of moves are read by the one
workflow engine (``npohub.core.workflows.run_move``), through the ``COMPLAINT_WORKFLOW`` and
``CASE_WORKFLOW`` built in ``services.complaints`` / ``services.cases`` next to their guards and
effects. A move names its sources, target, the *capacity* that may make it (``bureau``: the
registering authority's bureau in scope; ``handler``: that bureau or the staff member the
complaint is assigned to; ``system``: the daily jobs), whether a note is required, the guards
to pass and the effect to apply (looked up by name in the services).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Capacities here: bureau | handler | system.
from npohub.core.workflows import SYSTEM, transition_named
from npohub.core.workflows import Transition as Transition

# The keys under which the history of each workflow is kept (``core.WorkflowEvent.workflow``).
COMPLAINT_KEY = "enforcement.complaint"
CASE_KEY = "enforcement.case"

# --- complaints (投诉举报) ------------------------------------------------------------------------


class ComplaintState(models.TextChoices):
    """The states of a complaint, with their labels."""

    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    INVESTIGATING = "investigating", _("核查中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    TRANSFERRED = "transferred", _("已转办")


CS = ComplaintState
COMPLAINT_STATES: dict[str, Promise] = {s.value: s.label for s in ComplaintState}
# States in which the complainant is still waiting for an answer (the reply clock runs).
COMPLAINT_WAITING = frozenset({CS.SUBMITTED, CS.ACCEPTED, CS.INVESTIGATING})
COMPLAINT_FINAL = frozenset({CS.CLOSED, CS.NOT_ACCEPTED, CS.TRANSFERRED})

COMPLAINT_TRANSITIONS: tuple[Transition, ...] = (
    Transition("accept", _("受理"), frozenset({CS.SUBMITTED}), CS.ACCEPTED, "bureau"),
    Transition(
        "not_accept",
        _("不予受理"),
        frozenset({CS.SUBMITTED}),
        CS.NOT_ACCEPTED,
        "bureau",
        needs_note=True,
    ),
    Transition(
        "transfer",
        _("转办"),
        frozenset({CS.SUBMITTED, CS.ACCEPTED}),
        CS.TRANSFERRED,
        "bureau",
        guards=("transferred_to",),
        needs_note=True,
    ),
    Transition(
        "investigate",
        _("开始核查"),
        frozenset({CS.ACCEPTED}),
        CS.INVESTIGATING,
        "handler",
        guards=("assigned",),
    ),
    Transition(
        "reply",
        _("答复投诉人"),
        frozenset({CS.ACCEPTED, CS.INVESTIGATING}),
        CS.REPLIED,
        "handler",
        needs_note=True,
        effect="reply",
    ),
    Transition("close", _("办结"), frozenset({CS.REPLIED}), CS.CLOSED, "bureau"),
)
# How a complaint comes in (written by ``complaint_submit``, not a move of the table).
COMPLAINT_SUBMIT = Transition("submit", _("收到投诉举报"), frozenset(), CS.SUBMITTED, SYSTEM)


def complaint_transition_for(name: str) -> Transition | None:
    return transition_named(COMPLAINT_TRANSITIONS, name)


def complaint_state_label(state: str) -> str:
    return str(COMPLAINT_STATES.get(state, state))


# --- penalty cases (行政处罚) ---------------------------------------------------------------------


class CaseState(models.TextChoices):
    """The states of a penalty case, with their labels."""

    PROPOSED = "proposed", _("拟立案")
    FILED = "filed", _("已立案")
    INVESTIGATING = "investigating", _("调查取证")
    NOTIFIED = "notified", _("已事先告知")
    HEARING = "hearing", _("陈述申辩/听证")
    DECIDED = "decided", _("已作出决定")
    EXECUTING = "executing", _("执行中")
    CLOSED = "closed", _("已结案")
    DROPPED = "dropped", _("不予立案/不予处罚")


PS = CaseState
CASE_STATES: dict[str, Promise] = {s.value: s.label for s in CaseState}
# An open case: the organisation is "under investigation" (rule 40).
CASE_OPEN = frozenset({PS.FILED, PS.INVESTIGATING, PS.NOTIFIED, PS.HEARING})
# A decided penalty not yet carried out.
CASE_NOT_CARRIED_OUT = frozenset({PS.DECIDED, PS.EXECUTING})
CASE_FINAL = frozenset({PS.CLOSED, PS.DROPPED})
# Sanctions may be proposed or changed while the case is being prepared.
CASE_EDITABLE = frozenset({PS.FILED, PS.INVESTIGATING})

CASE_TRANSITIONS: tuple[Transition, ...] = (
    Transition("file", _("立案"), frozenset({PS.PROPOSED}), PS.FILED, "bureau"),
    Transition(
        "dismiss",
        _("不予立案"),
        frozenset({PS.PROPOSED, PS.FILED}),
        PS.DROPPED,
        "bureau",
        needs_note=True,
    ),
    Transition("investigate", _("开始调查取证"), frozenset({PS.FILED}), PS.INVESTIGATING, "bureau"),
    Transition(
        "notify",
        _("送达行政处罚事先告知书"),
        frozenset({PS.INVESTIGATING}),
        PS.NOTIFIED,
        "bureau",
        guards=("has_sanctions", "sanction_limits"),
        effect="start_statement_period",
    ),
    Transition(
        "hearing",
        _("当事人陈述申辩/要求听证"),
        frozenset({PS.NOTIFIED}),
        PS.HEARING,
        "bureau",
        needs_note=True,
        guards=("within_statement_period",),
    ),
    Transition(
        "decide",
        _("作出行政处罚决定"),
        frozenset({PS.NOTIFIED, PS.HEARING}),
        PS.DECIDED,
        "bureau",
        guards=("has_sanctions", "sanction_limits", "statement_period_over"),
        effect="apply_decision",
    ),
    Transition(
        "no_penalty",
        _("不予行政处罚"),
        frozenset({PS.INVESTIGATING, PS.NOTIFIED, PS.HEARING}),
        PS.DROPPED,
        "bureau",
        needs_note=True,
    ),
    Transition(
        "serve",
        _("送达处罚决定书"),
        frozenset({PS.DECIDED}),
        PS.EXECUTING,
        "bureau",
        effect="serve",
    ),
    Transition(
        "close",
        _("执行完毕，结案"),
        frozenset({PS.EXECUTING}),
        PS.CLOSED,
        "bureau",
        guards=("fines_paid",),
        effect="close",
    ),
    # The missing-report detector withdraws its own proposal when the years it named turn out
    # not to be missing years (before the platform's first report year or the registration).
    Transition(
        "withdraw",
        _("撤回拟立案"),
        frozenset({PS.PROPOSED}),
        PS.DROPPED,
        SYSTEM,
        needs_note=True,
    ),
)
# How a case is opened (written by ``_create_case``, straight into 已立案 or 拟立案).
CASE_OPEN_MOVE = Transition("open", _("创建案件"), frozenset(), PS.FILED, "bureau")


def case_transition_for(name: str) -> Transition | None:
    return transition_named(CASE_TRANSITIONS, name)


def case_state_label(state: str) -> str:
    return str(CASE_STATES.get(state, state))


# Where a case came from (``PenaltyCase.source``).
CASE_SOURCES: dict[str, Promise] = {
    "staff": _("执法人员立案"),
    "complaint": _("投诉举报"),
    "missing_reports": _("连续未报送年度工作报告"),
    "dormant": _("僵尸型社会组织清理"),
}


# --- penalty types and their legal basis (rule 44) ----------------------------------------------


@dataclass(frozen=True)
class PenaltyType:
    kind: str
    label: Promise
    # The credit fact recorded when the decision takes effect ("" = none of its own).
    credit_kind: str = ""
    needs_amount: bool = False
    needs_until: bool = False  # suspension: until when
    needs_person: bool = False  # barring a responsible person


PENALTY_TYPES: dict[str, PenaltyType] = {
    p.kind: p
    for p in (
        PenaltyType("warning", _("警告"), credit_kind="warning"),
        PenaltyType("fine", _("罚款"), credit_kind="fine", needs_amount=True),
        PenaltyType("confiscation", _("没收违法所得/非法财产"), needs_amount=True),
        PenaltyType(
            "suspension", _("限期停止活动"), credit_kind="suspension_order", needs_until=True
        ),
        PenaltyType("replace_managers", _("责令撤换直接负责的主管人员")),
        PenaltyType("revocation", _("撤销登记"), credit_kind="registration_revoked"),
        PenaltyType("certificate_revocation", _("吊销登记证书"), credit_kind="certificate_revoked"),
        PenaltyType("person_fine", _("对直接负责的主管人员处以罚款"), needs_amount=True),
        PenaltyType("bar_person", _("限制担任负责人"), needs_person=True),
    )
}
PENALTY_LABELS: dict[str, Promise] = {k: p.label for k, p in PENALTY_TYPES.items()}


@dataclass(frozen=True)
class LegalBasis:
    key: str  # association | social_service | foundation | charity
    label: Promise  # the provision
    kinds: frozenset[str]  # penalty types the provision allows
    fine_multiples: bool  # fines measured against illegal turnover/gains (社团/民非)


LEGAL_BASES: dict[str, LegalBasis] = {
    b.key: b
    for b in (
        LegalBasis(
            "association",
            _("《社会团体登记管理条例》第三十条"),
            frozenset(
                {
                    "warning",
                    "fine",
                    "confiscation",
                    "suspension",
                    "replace_managers",
                    "revocation",
                    "bar_person",
                }
            ),
            True,
        ),
        LegalBasis(
            "social_service",
            _("《民办非企业单位登记管理暂行条例》第二十五条"),
            frozenset(
                {"warning", "fine", "confiscation", "suspension", "revocation", "bar_person"}
            ),
            True,
        ),
        LegalBasis(
            "foundation",
            _("《基金会管理条例》第四十二条"),
            frozenset({"warning", "suspension", "revocation", "bar_person"}),
            False,
        ),
        LegalBasis(
            "charity",
            _("《慈善法》第一百零九条至第一百一十二条"),
            frozenset(
                {
                    "warning",
                    "suspension",
                    "confiscation",
                    "certificate_revocation",
                    "person_fine",
                    "bar_person",
                }
            ),
            False,
        ),
    )
}

# What a fine is measured against (rule 44, 社团/民非).
FINE_BASES: dict[str, Promise] = {
    "turnover": _("违法经营额"),
    "gains": _("违法所得"),
}


def basis_key(org_kind: str, is_charity: bool) -> str:
    """Which provision governs an organisation: charities by the 慈善法, others by kind."""
    if is_charity:
        return "charity"
    return org_kind if org_kind in LEGAL_BASES else "association"


# --- dormant organisations (僵尸型社会组织, rule 45) ------------------------------------------------

DORMANT_CRITERIA: dict[str, Promise] = {
    "no_annual_report": _("连续两年未参加年检（未报送年度工作报告）"),
    "no_first_year_activity": _("取得登记证书后一年内未开展活动"),
    "no_activity_since": _("自规定日期以来未按章程开展业务范围内的活动"),
    "cannot_contact": _("通过登记的住所和法定代表人无法取得联系"),
}

DORMANT_OUTCOMES: dict[str, Promise] = {
    "pending": _("待处置"),
    "rectified": _("整改激活"),
    "deregistered": _("引导注销"),
    "revoked": _("依法撤销登记"),
}
