"""Who may do what with annual reports, and what each user sees of one.

A transition in ``workflows.py`` names a *capacity*; ``capacities_of`` answers which ones a
user holds for one report: ``organization`` (an own-organisation account), ``supervisor`` (a
业务主管单位 reviewer granted the organisation with reason ``supervised``) and ``bureau`` (a
bureau whose region covers the organisation's address or registering authority). The superuser
holds every capacity. Every place and grant question is answered by the one scope
(``npohub.orgs.scope``); :func:`report_view` is the one answer the page and the API render from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from npohub.accounts.models import GRANT_ROLES, REGION_ROLES, Role, User
from npohub.core.permissions import ALLOW, Decision, deny
from npohub.core.workflows import Capacities, Transition
from npohub.orgs.models import AccessReason, Kind, Organization
from npohub.orgs.scope import scope_of

from .models import EDITABLE_STATES, AnnualReport, S

# Whoever asks: a signed-in user, or an anonymous visitor (who may do nothing).
Viewer = User | AnonymousUser

CAPACITY_REFUSAL = {
    "organization": lambda: _("只有本组织的账号可以执行此操作"),
    "supervisor": lambda: _("只有该组织的业务主管单位可以初审"),
    "bureau": lambda: _("只有辖区登记管理机关可以执行此操作"),
}


def owns(user: Viewer, org_id: int) -> bool:
    """An account of the organisation (or the superuser, who may act for any)."""
    scope = scope_of(user)
    return scope.everything or scope.owns(org_id)


def supervises(user: Viewer, org_id: int) -> bool:
    """A reviewer of the organisation's business-supervisory unit (or the superuser)."""
    scope = scope_of(user)
    return scope.everything or (
        scope.role == Role.REVIEWER and scope.is_granted(org_id, reason=AccessReason.SUPERVISED)
    )


def capacities_of(user: Viewer, report: AnnualReport) -> set[str]:
    """The capacities the user holds for this report."""
    held: set[str] = set()
    scope = scope_of(user)
    if not scope.signed_in:
        return held
    if owns(user, report.organization_id):
        held.add("organization")
    if report.is_dual_managed and supervises(user, report.organization_id):
        held.add("supervisor")
    if scope.is_bureau_for_codes(
        address_code=report.address_code, authority_code=report.authority_code
    ):
        held.add("bureau")
    return held


def report_capacities(user: Viewer, report: AnnualReport) -> Capacities:
    """The workflow's resolver (``workflows.WORKFLOW``): the capacities ``user`` holds."""
    return Capacities(held=frozenset(capacities_of(user, report)))


@dataclass(frozen=True)
class ReportView:
    """What one user may do with one report and see of it; the page and the API read this."""

    held: frozenset[str]
    # ID numbers and phones in the content unmasked: whoever acts on the report (its
    # organisation, its supervisory unit on the dual route, its bureau); the other roles that
    # see the report (streets, communities, hubs, party officers …) see them masked.
    sees_personal_data: bool
    editable: bool  # the organisation while it holds the report (draft or returned)
    may_attach: bool  # add and remove documents (the same rule)
    may_review: bool  # open the bureau's review page
    may_conclude: bool  # the review page offers the conclusion now


def report_view(user: Viewer, report: AnnualReport) -> ReportView:
    """The one answer to "what may this user do with this report, what is masked"."""
    held = frozenset(capacities_of(user, report))
    editable = "organization" in held and report.state in EDITABLE_STATES
    return ReportView(
        held=held,
        sees_personal_data=bool(held),
        editable=editable,
        may_attach=editable,
        may_review="bureau" in held,
        may_conclude="bureau" in held and report.state == S.SUBMITTED,
    )


# ---------------------------------------------------------------------------------------------
# Pages and lists


def can_list_reports(user: Viewer) -> Decision:
    """Region staff and granted roles see the reports of the organisations they may see."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.everything or scope.role in REGION_ROLES | GRANT_ROLES:
        return ALLOW
    return deny(_("您的角色不能查看年度报告"))


def sees_reports(user: Viewer) -> bool:
    """The menu's 年度报告 entry."""
    return bool(can_list_reports(user))


def can_view_dashboard(user: Viewer) -> Decision:
    """Bureaus and streets see submission rates for their region."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.is_bureau or (scope.has_region and scope.role == Role.STREET_OFFICER):
        return ALLOW
    return deny(_("只有民政部门和街道可以查看年报统计"))


def sees_dashboard(user: Viewer) -> bool:
    """The menu's 年报统计 entry."""
    return bool(can_view_dashboard(user))


def may_review_first(user: Viewer) -> bool:
    """The list offers the supervisory unit's first-review filter (reviewers)."""
    return scope_of(user).role == Role.REVIEWER


def can_review_report(user: Viewer, report: AnnualReport) -> Decision:
    """The bureau's review page: the registering authority of the report's organisation."""
    if not report_view(user, report).may_review:
        return deny(_("只有辖区登记管理机关可以审查"))
    return ALLOW


def can_check_section(user: Viewer, report: AnnualReport) -> Decision:
    """The htmx check of a section as typed: whoever may edit the report."""
    if not report_view(user, report).editable:
        return deny(_("报告不可修改"))
    return ALLOW


# ---------------------------------------------------------------------------------------------
# Writes (the services call these too)


def can_create_report(user: Viewer, org: Organization) -> Decision:
    """The organisation's own account, or its bureau (for an organisation filing on paper)."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if org.kind == Kind.COMMUNITY_GROUP:
        return deny(_("备案的社区社会组织不参加年度检查"))
    if owns(user, org.pk) or scope.is_bureau_for_org(org):
        return ALLOW
    return deny(_("只有本组织的账号或登记管理机关可以填报年度报告"))


def can_edit_report(user: Viewer, report: AnnualReport) -> Decision:
    """The organisation edits its report while it holds it (draft or returned)."""
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if "organization" not in capacities_of(user, report):
        return deny(CAPACITY_REFUSAL["organization"]())
    if report.state not in EDITABLE_STATES:
        return deny(_("报告已提交，不能修改"))
    return ALLOW


def can_make(user: Viewer, report: AnnualReport, move: Transition) -> Decision:
    """The user holds the capacity the transition names."""
    if not scope_of(user).signed_in:
        return deny(_("请先登录"))
    if move.capacity in capacities_of(user, report):
        return ALLOW
    return deny(CAPACITY_REFUSAL[move.capacity]())


def can_change_attachments(user: Viewer, report: AnnualReport) -> Decision:
    """Attachments are added and removed by the organisation while it holds the report."""
    decision = can_edit_report(user, report)
    if (
        not decision
        and report.state not in EDITABLE_STATES
        and "organization" in capacities_of(user, report)
    ):
        return deny(_("报告已提交，附件不能再增删"))
    return decision
