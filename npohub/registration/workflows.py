"""The registration workflows as data: states, transitions, who may make them.

The one workflow engine (``npohub.core.workflows.run_move``, called by
``services.application_transition``) reads these tables: the table of an application is the
one of its kind. A transition
names the *capacity* that may make it (``applicant``, ``bureau``, ``community``, ``street``,
``system``), the checks (``guards``) that must pass first, and the registry ``effect`` of the
move. Guards and effects are looked up by name in ``services.GUARDS`` / ``services.EFFECTS``,
so a new application kind composed of existing guards and effects is a new entry here and
nothing else; a new reviewing department is a ``Department`` row and a ``ReviewRoute``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Capacities here: applicant | bureau | community | street | system.
from npohub.core.workflows import Transition as Transition
from npohub.core.workflows import transition_named, transitions_from


class ApplicationState(models.TextChoices):
    """The states of an application, with their labels."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交待受理")
    RETURNED = "returned", _("已退回")
    IN_REVIEW = "in_review", _("联合审查中")
    SUPPLEMENT = "supplement", _("补正材料中")
    REVIEWED = "reviewed", _("联审完成待决定")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("不予登记")
    WITHDRAWN = "withdrawn", _("已撤回")
    COMMUNITY_CHECKED = "community_checked", _("社区初审通过")
    FILED = "filed", _("已备案")


S = ApplicationState  # the short name the registration code reads states by
STATE_LABELS: dict[str, Promise] = {s.value: s.label for s in ApplicationState}
FINAL_STATES = frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN, S.FILED})
# States in which the applicant holds the application (may edit data and attachments).
APPLICANT_EDITABLE = frozenset({S.DRAFT, S.RETURNED, S.SUPPLEMENT})
# States in which the statutory clock runs (or is paused for 补正).
CLOCK_STATES = frozenset({S.IN_REVIEW, S.SUPPLEMENT, S.REVIEWED})


@dataclass(frozen=True)
class Workflow:
    kind: str
    label: Promise
    org_kinds: frozenset[str]  # organisation kinds the application may concern
    needs_organization: bool  # concerns an existing organisation (change, deregistration …)
    transitions: tuple[Transition, ...]
    # Documents that must be attached before acceptance (or before the filing decision).
    required_attachments: tuple[str, ...] = ()
    # Attachments required before approval (rule 16: the financial audit report).
    approval_attachments: tuple[str, ...] = ()
    # Which key of the registration policy gives the statutory time limit (rule 9).
    deadline_key: str = "decision_days"
    started_by: str = "applicant"  # applicant | bureau (revocation)
    # Fields of the application form beyond the registry fields (shown per kind).
    form: str = "organization"
    announcement: str = ""  # AnnouncementKind on approval, "" = none (changes decide by field)
    states: frozenset[str] = field(default_factory=frozenset)

    def transition(self, name: str) -> Transition | None:
        return transition_named(self.transitions, name)

    def available(self, state: str) -> list[Transition]:
        return transitions_from(self.transitions, state)


# The common pipeline of applications the bureau decides after joint review.
def _bureau_pipeline(
    *, approve_guards: tuple[str, ...] = (), effect: str = "", started_by: str = "applicant"
) -> tuple[Transition, ...]:
    starter = "bureau" if started_by == "bureau" else "applicant"
    return (
        Transition(
            "submit",
            _("提交申请"),
            frozenset({S.DRAFT}),
            S.SUBMITTED,
            starter,
            guards=("rules",),
        ),
        Transition(
            "resubmit",
            _("重新提交"),
            frozenset({S.RETURNED}),
            S.SUBMITTED,
            starter,
            guards=("rules",),
        ),
        Transition(
            "accept",
            _("受理（材料齐全）"),
            frozenset({S.SUBMITTED}),
            S.IN_REVIEW,
            "bureau",
            guards=("rules", "documents", "supervisory_consent"),
            effect="start_review",
        ),
        Transition(
            "return_documents",
            _("退回补齐材料"),
            frozenset({S.SUBMITTED}),
            S.RETURNED,
            "bureau",
            needs_note=True,
        ),
        # Made by the system when the last opinion of a round is in.
        Transition(
            "review_returned", _("联审不同意，退回"), frozenset({S.IN_REVIEW}), S.RETURNED, "system"
        ),
        Transition(
            "review_supplement",
            _("联审要求补正"),
            frozenset({S.IN_REVIEW}),
            S.SUPPLEMENT,
            "system",
            effect="pause_clock",
        ),
        Transition(
            "review_complete",
            _("联审完成"),
            frozenset({S.IN_REVIEW}),
            S.REVIEWED,
            "system",
        ),
        Transition(
            "supplement",
            _("提交补正材料"),
            frozenset({S.SUPPLEMENT}),
            S.IN_REVIEW,
            starter,
            guards=("rules",),
            effect="resume_review",
        ),
        Transition(
            "approve",
            _("核准"),
            frozenset({S.REVIEWED}),
            S.APPROVED,
            "bureau",
            guards=("rules", "approval_documents", *approve_guards),
            effect=effect,
        ),
        Transition(
            "reject",
            _("不予核准"),
            frozenset({S.REVIEWED}),
            S.REJECTED,
            "bureau",
            needs_note=True,
            effect="close_clock",
        ),
        Transition(
            "withdraw",
            _("撤回申请"),
            frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.SUPPLEMENT}),
            S.WITHDRAWN,
            starter,
            effect="close_clock",
        ),
    )


REGISTERED = frozenset({"association", "social_service", "foundation"})
_BASIC_DOCS = ("application_form", "articles", "premises", "identity")

WORKFLOWS: dict[str, Workflow] = {
    w.kind: w
    for w in (
        Workflow(
            kind="name_approval",
            label=_("名称核准"),
            org_kinds=REGISTERED,
            needs_organization=False,
            transitions=_bureau_pipeline(effect="reserve_name"),
            required_attachments=("application_form",),
            form="name",
        ),
        Workflow(
            kind="preparation",
            label=_("筹备申请"),
            org_kinds=frozenset({"association"}),
            needs_organization=False,
            transitions=_bureau_pipeline(effect="approve_preparation"),
            required_attachments=("application_form", "articles"),
        ),
        Workflow(
            kind="establishment",
            label=_("成立登记"),
            org_kinds=REGISTERED,
            needs_organization=False,
            transitions=_bureau_pipeline(effect="register"),
            required_attachments=(*_BASIC_DOCS, "capital_verification"),
            announcement="establishment",
        ),
        Workflow(
            kind="change",
            label=_("变更登记"),
            org_kinds=REGISTERED,
            needs_organization=True,
            transitions=_bureau_pipeline(effect="change", approve_guards=("change_audit",)),
            required_attachments=("application_form", "meeting_minutes"),
            form="change",
        ),
        Workflow(
            kind="articles",
            label=_("章程核准"),
            org_kinds=REGISTERED,
            needs_organization=True,
            transitions=_bureau_pipeline(effect="approve_articles"),
            required_attachments=("articles", "meeting_minutes"),
            form="articles",
        ),
        Workflow(
            kind="reelection",
            label=_("换届/负责人审核"),
            org_kinds=REGISTERED,
            needs_organization=True,
            transitions=_bureau_pipeline(effect="reelect"),
            required_attachments=("meeting_minutes", "identity"),
            approval_attachments=("audit_report",),
            form="reelection",
        ),
        Workflow(
            kind="deregistration",
            label=_("注销登记"),
            org_kinds=REGISTERED,
            needs_organization=True,
            transitions=_bureau_pipeline(effect="deregister"),
            required_attachments=("application_form", "liquidation_report"),
            form="closure",
            announcement="deregistration",
        ),
        Workflow(
            kind="revocation",
            label=_("撤销登记"),
            org_kinds=REGISTERED,
            needs_organization=True,
            transitions=_bureau_pipeline(effect="revoke", started_by="bureau"),
            started_by="bureau",
            form="closure",
            announcement="revocation",
        ),
        Workflow(
            kind="filing",
            label=_("社区社会组织备案"),
            org_kinds=frozenset({"community_group"}),
            needs_organization=False,
            deadline_key="filing_days",
            form="filing",
            announcement="filing",
            transitions=(
                Transition(
                    "submit",
                    _("提交备案"),
                    frozenset({S.DRAFT}),
                    S.SUBMITTED,
                    "applicant",
                    guards=("rules",),
                    effect="start_filing_clock",
                ),
                Transition(
                    "resubmit",
                    _("重新提交"),
                    frozenset({S.RETURNED}),
                    S.SUBMITTED,
                    "applicant",
                    guards=("rules",),
                    effect="start_filing_clock",
                ),
                Transition(
                    "community_check",
                    _("社区初审通过"),
                    frozenset({S.SUBMITTED}),
                    S.COMMUNITY_CHECKED,
                    "community",
                    guards=("rules",),
                ),
                Transition(
                    "community_return",
                    _("社区退回"),
                    frozenset({S.SUBMITTED}),
                    S.RETURNED,
                    "community",
                    needs_note=True,
                ),
                Transition(
                    "file",
                    _("准予备案"),
                    frozenset({S.COMMUNITY_CHECKED}),
                    S.FILED,
                    "street",
                    guards=("rules",),
                    effect="file",
                ),
                Transition(
                    "street_return",
                    _("街道退回"),
                    frozenset({S.COMMUNITY_CHECKED}),
                    S.RETURNED,
                    "street",
                    needs_note=True,
                ),
                Transition(
                    "street_reject",
                    _("不予备案"),
                    frozenset({S.COMMUNITY_CHECKED}),
                    S.REJECTED,
                    "street",
                    needs_note=True,
                    effect="close_clock",
                ),
                Transition(
                    "withdraw",
                    _("撤回"),
                    frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}),
                    S.WITHDRAWN,
                    "applicant",
                    effect="close_clock",
                ),
            ),
        ),
    )
}

KIND_LABELS: dict[str, Promise] = {kind: w.label for kind, w in WORKFLOWS.items()}


def workflow_for(kind: str) -> Workflow:
    try:
        return WORKFLOWS[kind]
    except KeyError as exc:
        raise KeyError(f"unknown application kind {kind!r}") from exc


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


# Recorded when an application is created (a history row with no move out of a state).
CREATE = Transition("create", _("创建申请"), frozenset(), S.DRAFT, "applicant")


def every_move() -> list[Transition]:
    """Every move of every kind once (labels for the history of any application)."""
    moves: dict[str, Transition] = {CREATE.name: CREATE}
    for workflow in WORKFLOWS.values():
        for move in workflow.transitions:
            moves.setdefault(move.name, move)
    return list(moves.values())
