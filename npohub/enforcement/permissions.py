"""Who may act on complaints, penalty cases and campaigns. Each check returns a Decision.

Enforcement is the registering authority's business: bureau staff (city or district) whose
region covers the place. A complaint may also be worked by the staff member it is assigned
to (a street officer of that street, say). Organisations see the decisions about themselves.

The workflow engine asks :func:`complaint_capacities` / :func:`case_capacities` which
capacities (``bureau``, ``handler``) an actor holds on a record; a refused move gives the same
reason as these checks (:func:`refusal_by`, within :func:`acting`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.core.workflows import NO_CAPACITY, Capacities
from npohub.orgs.models import Organization

# Roles a complaint may be assigned to (within their region).
ASSIGNABLE_ROLES = frozenset({*BUREAU_ROLES, Role.STREET_OFFICER})


def _covers(user: Any, code: str) -> bool:
    prefix = getattr(user, "scope_prefix", "") or ""
    return bool(prefix) and code.startswith(prefix)


def is_bureau_for(user: Any, code: str) -> bool:
    """A bureau user (or the superuser) whose region covers ``code``."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    return user.role in BUREAU_ROLES and _covers(user, code)


def is_bureau_for_org(user: Any, org: Organization) -> bool:
    """The bureau of the organisation's place or of its registering authority."""
    if is_bureau_for(user, org.address_code):
        return True
    authority = org.authority_region
    return authority is not None and is_bureau_for(user, authority.code)


def is_enforcement_staff(user: Any) -> bool:
    """Roles that have the enforcement pages at all (bureaus; street officers for assignments)."""
    return is_signed_in(user) and (
        user.is_superuser or user.role in BUREAU_ROLES or user.role == Role.STREET_OFFICER
    )


def can_manage_complaint(user: Any, region_code: str) -> Decision:
    """Triage, assignment and closing belong to the bureau of the complaint's place."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if is_bureau_for(user, region_code):
        return ALLOW
    if user.role not in BUREAU_ROLES:
        return deny(_("只有民政部门可以受理和分派投诉举报"))
    return deny(_("该投诉举报不在您的辖区内"))


def can_handle_complaint(user: Any, complaint: Any) -> Decision:
    """Investigation notes and the reply: the bureau in scope or the assigned staff member."""
    if is_signed_in(user) and complaint.assignee_id == user.pk:
        return ALLOW
    decision = can_manage_complaint(user, complaint.region_code)
    if decision:
        return decision
    return deny(_("只有承办人或辖区民政部门可以办理该投诉举报"))


def can_be_assigned(assignee: Any, region_code: str) -> Decision:
    """A complaint goes to an active bureau or street officer whose region covers its place."""
    if assignee is None or not assignee.is_active:
        return deny(_("承办人不存在或已停用"))
    if assignee.role not in ASSIGNABLE_ROLES:
        return deny(_("只能分派给民政部门或街道（乡镇）工作人员"))
    if not _covers(assignee, region_code):
        return deny(_("承办人的辖区不包括该投诉举报所在地"))
    return ALLOW


def can_manage_case(user: Any, org: Organization) -> Decision:
    """Penalty cases are opened and decided by the bureau of the organisation's place."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if is_bureau_for_org(user, org):
        return ALLOW
    if user.role not in BUREAU_ROLES:
        return deny(_("只有登记管理机关可以办理行政处罚案件"))
    return deny(_("该组织不在您的辖区内"))


def can_manage_campaign(user: Any, region_code: str) -> Decision:
    """Clean-up campaigns are run by a bureau within its own region."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if is_bureau_for(user, region_code):
        return ALLOW
    if user.role not in BUREAU_ROLES:
        return deny(_("只有民政部门可以组织清理整治行动"))
    return deny(_("行动范围不在您的辖区内"))


# --- capacities for the workflow engine ---------------------------------------------------------


def complaint_capacities(user: Any, complaint: Any) -> Capacities:
    """``bureau``: triage, transfer, closing; ``handler``: investigation and the reply."""
    held = set()
    if can_manage_complaint(user, complaint.region_code):
        held.add("bureau")
    if can_handle_complaint(user, complaint):
        held.add("handler")
    return Capacities(held=frozenset(held))


def case_capacities(user: Any, case: Any) -> Capacities:
    """``bureau``: every move of a penalty case (the bureau of the organisation's place)."""
    if can_manage_case(user, case.organization):
        return Capacities(held=frozenset({"bureau"}))
    return NO_CAPACITY


# The actor and record of the move being run, so that a refusal can say why *this* actor may
# not (a street officer is told that only the bureau may, a bureau elsewhere that the place is
# outside its region), as these checks say; the engine's refusal takes no arguments.
_ACTING: ContextVar[tuple[Any, Any] | None] = ContextVar("enforcement_acting", default=None)


@contextmanager
def acting(actor: Any, obj: Any) -> Iterator[None]:
    """Run a move of ``actor`` on ``obj`` with :func:`refusal_by` knowing both."""
    token = _ACTING.set((actor, obj))
    try:
        yield
    finally:
        _ACTING.reset(token)


def refusal_by(check: Callable[[Any, Any], Decision], fallback: Promise) -> Callable[[], str]:
    """A refusal message: the reason ``check(actor, obj)`` gives for the move being run."""

    def message() -> str:
        current = _ACTING.get()
        reason = check(*current).reason if current is not None else ""
        return reason or str(fallback)

    return message
