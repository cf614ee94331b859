"""Who may act on complaints, penalty cases and campaigns, and what each user sees of a record.

Enforcement is the registering authority's business: bureau staff (city or district) whose
region covers the place. A complaint may also be worked by the staff member it is assigned
to (a street officer of that street, say). Organisations see the decisions about themselves.
Every "in my scope" question is the one scope's (``orgs.scope.scope_of``).

The workflow engine asks :func:`complaint_capacities` / :func:`case_capacities` which
capacities (``bureau``, ``handler``) an actor holds on a record; a refused move gives the same
reason as these checks (:func:`refusal_by`, within :func:`acting`). The page and the API of a
complaint or a case both read :func:`complaint_view` / :func:`case_view` (what the user may do,
which personal data they see unmasked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeAlias, TypeVar, cast

from django.contrib.auth.models import AnonymousUser
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role, User
from npohub.core.permissions import ALLOW, Decision, deny
from npohub.core.validators import mask_contact, mask_id_number
from npohub.core.workflows import NO_CAPACITY, Capacities
from npohub.orgs.models import Organization
from npohub.orgs.scope import scope_of

from .models import Complaint, PenaltyCase, Sanction
from .workflows import CASE_EDITABLE

# Whoever asks: a signed-in user, an anonymous visitor, or nobody (a system run).
Viewer: TypeAlias = User | AnonymousUser | None

R = TypeVar("R")

# Roles a complaint may be assigned to (within their region).
ASSIGNABLE_ROLES = frozenset({*BUREAU_ROLES, Role.STREET_OFFICER})


# --- which pages a user has (the menu and the pages agree; the services decide every action) ---


def has_bureau_pages(user: Viewer) -> bool:
    """Cases, campaigns and statistics: the bureaus (and the superuser)."""
    return scope_of(user).is_bureau


def is_enforcement_staff(user: Viewer) -> bool:
    """Roles that have the enforcement pages at all (bureaus; street officers for the
    complaints assigned to them)."""
    scope = scope_of(user)
    return scope.is_bureau or scope.role == Role.STREET_OFFICER


# --- complaints -----------------------------------------------------------------------------


def can_manage_complaint(user: Viewer, region_code: str) -> Decision:
    """Triage, assignment and closing belong to the bureau of the complaint's place."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.is_bureau_for(region_code):
        return ALLOW
    if not scope.is_bureau:
        return deny(_("只有民政部门可以受理和分派投诉举报"))
    return deny(_("该投诉举报不在您的辖区内"))


def can_handle_complaint(user: Viewer, complaint: Complaint) -> Decision:
    """Investigation notes and the reply: the bureau in scope or the assigned staff member."""
    scope = scope_of(user)
    if scope.user is not None and complaint.assignee_id == scope.user.pk:
        return ALLOW
    decision = can_manage_complaint(user, complaint.region_code)
    if decision:
        return decision
    return deny(_("只有承办人或辖区民政部门可以办理该投诉举报"))


def can_be_assigned(assignee: User | None, region_code: str) -> Decision:
    """A complaint goes to an active bureau or street officer whose region covers its place."""
    if assignee is None or not assignee.is_active:
        return deny(_("承办人不存在或已停用"))
    if assignee.role not in ASSIGNABLE_ROLES:
        return deny(_("只能分派给民政部门或街道（乡镇）工作人员"))
    if not scope_of(assignee).covers(region_code):
        return deny(_("承办人的辖区不包括该投诉举报所在地"))
    return ALLOW


@dataclass(frozen=True)
class ComplaintView:
    """What one user may do with one complaint and see of it."""

    held: frozenset[str]  # the capacities: "bureau" (triage, closing), "handler" (the reply)
    sees_personal_data: bool  # the complainant's contact unmasked

    @property
    def manages(self) -> bool:
        return "bureau" in self.held

    @property
    def handles(self) -> bool:
        return "handler" in self.held

    def contact(self, complaint: Complaint) -> str:
        """The complainant's contact (a phone or an e-mail address) as this user sees it."""
        return complaint.contact if self.sees_personal_data else mask_contact(complaint.contact)


def complaint_view(user: Viewer, complaint: Complaint) -> ComplaintView:
    """The one answer to "what may this user do with this complaint, what is masked".

    The complainant's contact is for those who work the complaint: the bureau of its place and
    the staff member it is assigned to, who verify it and answer the complainant. Anyone else
    who is shown the complaint sees the contact masked (13812345678 → 138****5678)."""
    held = complaint_capacities(user, complaint).held
    return ComplaintView(held=held, sees_personal_data=bool(held))


# --- penalty cases --------------------------------------------------------------------------


def can_manage_case(user: Viewer, org: Organization) -> Decision:
    """Penalty cases are opened and decided by the bureau of the organisation's place (or of
    its registering authority)."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.is_bureau_for_org(org):
        return ALLOW
    if not scope.is_bureau:
        return deny(_("只有登记管理机关可以办理行政处罚案件"))
    return deny(_("该组织不在您的辖区内"))


@dataclass(frozen=True)
class CaseView:
    """What one user may do with one penalty case and see of it."""

    manages: bool  # every move, the penalties, the payment: the bureau
    editable: bool  # the proposed penalties may still change
    sees_personal_data: bool  # the ID numbers of persons barred from office, unmasked

    @property
    def sees_complaints(self) -> bool:
        """The complaints a case came from: their tracking numbers are the complainants' keys
        to the public lookup, so only the bureau sees them (not the organisation)."""
        return self.manages

    def person_id_number(self, sanction: Sanction) -> str:
        value = sanction.person_id_number
        return value if self.sees_personal_data else mask_id_number(value)


def case_view(user: Viewer, case: PenaltyCase) -> CaseView:
    """The one answer to "what may this user do with this case, what is masked": the bureau
    manages it and sees the ID numbers in full; the organisation itself (from the prior notice
    on) reads it with the ID numbers masked."""
    manages = bool(can_manage_case(user, case.organization))
    return CaseView(
        manages=manages,
        editable=manages and case.state in CASE_EDITABLE,
        sees_personal_data=manages,
    )


# --- campaigns ------------------------------------------------------------------------------


def can_manage_campaign(user: Viewer, region_code: str) -> Decision:
    """Clean-up campaigns are run by a bureau within its own region."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.is_bureau_for(region_code):
        return ALLOW
    if not scope.is_bureau:
        return deny(_("只有民政部门可以组织清理整治行动"))
    return deny(_("行动范围不在您的辖区内"))


# --- capacities for the workflow engine ---------------------------------------------------------


def complaint_capacities(user: Viewer, complaint: Complaint) -> Capacities:
    """``bureau``: triage, transfer, closing; ``handler``: investigation and the reply."""
    held = set()
    if can_manage_complaint(user, complaint.region_code):
        held.add("bureau")
    if can_handle_complaint(user, complaint):
        held.add("handler")
    return Capacities(held=frozenset(held))


def case_capacities(user: Viewer, case: PenaltyCase) -> Capacities:
    """``bureau``: every move of a penalty case (the bureau of the organisation's place)."""
    if can_manage_case(user, case.organization):
        return Capacities(held=frozenset({"bureau"}))
    return NO_CAPACITY


# The actor and record of the move being run, so that a refusal can say why *this* actor may
# not (a street officer is told that only the bureau may, a bureau elsewhere that the place is
# outside its region), as these checks say; the engine's refusal takes no arguments.
_ACTING: ContextVar[tuple[Viewer, object] | None] = ContextVar("enforcement_acting", default=None)


@contextmanager
def acting(actor: Viewer, obj: object) -> Iterator[None]:
    """Run a move of ``actor`` on ``obj`` with :func:`refusal_by` knowing both."""
    token = _ACTING.set((actor, obj))
    try:
        yield
    finally:
        _ACTING.reset(token)


def refusal_by(check: Callable[[Viewer, R], Decision], fallback: Promise) -> Callable[[], str]:
    """A refusal message: the reason ``check(actor, obj)`` gives for the move being run."""

    def message() -> str:
        current = _ACTING.get()
        reason = check(current[0], cast(R, current[1])).reason if current is not None else ""
        return reason or str(fallback)

    return message
