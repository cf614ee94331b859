"""Who may act on applications: capacities, starting, reviewing, filing delegation.

A transition in ``workflows.py`` names a *capacity*; ``capacities_of`` answers which
capacities a user holds for one application (and on whose behalf, when a street federation
decides a filing for its street office).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.audit import OnBehalfOf
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.hubs.selectors import is_federation_staff_for_street
from npohub.orgs.models import Kind, Organization, OrganizationAccess
from npohub.orgs.scope import scope_of

from .models import Application, FilingDelegation, ReviewTask
from .workflows import WORKFLOWS

# Roles that may start an application for a new organisation (founders use a resident account;
# bureau staff and community workers may start one for a walk-in applicant).
FOUNDER_ROLES = frozenset({Role.RESIDENT, Role.ORG_USER, *BUREAU_ROLES})
FILING_STARTER_ROLES = frozenset(
    {Role.RESIDENT, Role.ORG_USER, Role.COMMUNITY_WORKER, Role.STREET_OFFICER}
)


def delegation_for(
    user: Any, street_code: str, *, on: dt.date | None = None
) -> FilingDelegation | None:
    """The delegation under which this hub user decides filings for the street, if any."""
    if not is_signed_in(user) or user.role != Role.HUB_STAFF:
        return None
    today = on or timezone.localdate()
    granted = OrganizationAccess.objects.filter(user_id=user.pk).values("organization_id")
    return (
        FilingDelegation.objects.select_related("street", "federation")
        .filter(street__code=street_code, federation_id__in=granted, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .first()
    )


def capacities_of(user: Any, app: Application) -> tuple[set[str], OnBehalfOf | None]:
    """The capacities the user holds for the application, and the principal a delegate acts for."""
    held: set[str] = set()
    on_behalf: OnBehalfOf | None = None
    if not is_signed_in(user):
        return held, None
    workflow = WORKFLOWS[app.kind]
    if app.applicant_id == user.pk or (
        workflow.started_by == "applicant" and scope_of(user).owns(app.organization_id)
    ):
        held.add("applicant")
    if scope_of(user).is_bureau_for(app.authority_region.code):
        held.add("bureau")
        if workflow.started_by == "bureau" and app.applicant_id == user.pk:
            held.add("applicant")
    if app.kind == "filing":
        if user.is_superuser or (
            user.role == Role.COMMUNITY_WORKER and scope_of(user).covers(app.address_code)
        ):
            held.add("community")
        if user.is_superuser or (
            user.role in (Role.STREET_OFFICER, *BUREAU_ROLES)
            and scope_of(user).covers(app.address_code)
        ):
            held.add("street")
        else:
            delegation = delegation_for(user, app.address_code[:9].ljust(12, "0"))
            if delegation is not None:
                held.add("street")
                on_behalf = OnBehalfOf(
                    label=_("%(street)s（委托%(federation)s办理）")
                    % {"street": delegation.street.name, "federation": delegation.federation.name},
                    ref=delegation.street.code,
                )
    return held, on_behalf


def can_start_application(
    user: Any,
    *,
    kind: str,
    organization: Organization | None,
    authority_code: str,
    address_code: str,
) -> Decision:
    if not is_signed_in(user):
        return deny(_("请先登录"))
    workflow = WORKFLOWS.get(kind)
    if workflow is None:
        return deny(_("未知的申请事项"))
    if user.is_superuser:
        return ALLOW
    if workflow.started_by == "bureau":
        if scope_of(user).is_bureau_for(authority_code):
            return ALLOW
        return deny(_("撤销登记只能由辖区登记管理机关发起"))
    if scope_of(user).is_bureau_for(authority_code):
        return ALLOW  # window staff start applications for walk-in applicants
    if kind == "filing":
        if user.role not in FILING_STARTER_ROLES:
            return deny(_("您的角色不能申请备案"))
        if user.role in (Role.COMMUNITY_WORKER, Role.STREET_OFFICER) and not scope_of(user).covers(
            address_code
        ):
            return deny(_("该社区不在您的辖区内"))
        return ALLOW
    if workflow.needs_organization or organization is not None:
        if organization is None:
            return deny(_("请选择要办理的组织"))
        if scope_of(user).owns(organization.pk):
            return ALLOW
        return deny(_("只有本组织的账号或登记管理机关可以为该组织提出申请"))
    if user.role in FOUNDER_ROLES:
        return ALLOW
    return deny(_("您的角色不能提出登记申请"))


def can_review(user: Any, task: ReviewTask) -> Decision:
    """A member of the reviewing department, while the task is open in the current round."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if not (user.is_superuser or task.department.members.filter(pk=user.pk).exists()):
        return deny(_("您不是该联审部门的审查人员"))
    if not task.is_pending:
        return deny(_("该部门已提出意见"))
    if task.round != task.application.review_round or task.application.state != "in_review":
        return deny(_("该审查任务已结束"))
    return ALLOW


def can_manage_delegation(user: Any, street_code: str) -> Decision:
    """The street office itself, or the bureau above it, delegates filing to a federation."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or (
        user.role in (Role.STREET_OFFICER, *BUREAU_ROLES) and scope_of(user).covers(street_code)
    ):
        return ALLOW
    return deny(_("只有本街道或上级民政部门可以委托备案"))


def can_report_activity(user: Any, org: Organization) -> Decision:
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if org.kind != Kind.COMMUNITY_GROUP:
        return deny(_("重大活动报告适用于备案社区社会组织"))
    if org.is_closed:
        return deny(_("该组织已注销或撤销"))
    if user.is_superuser or scope_of(user).owns(org.pk):
        return ALLOW
    if user.role == Role.COMMUNITY_WORKER and scope_of(user).covers(org.address_code):
        return ALLOW
    return deny(_("只有本组织账号或所在社区可以报告活动"))


def federation_capacity(user: Any, org: Organization) -> bool:
    """May answer activity reports of this group: its street (or delegated federation)."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    if user.role in (Role.STREET_OFFICER, *BUREAU_ROLES) and scope_of(user).covers(
        org.address_code
    ):
        return True
    street_code = org.address_code[:9].ljust(12, "0")
    if is_federation_staff_for_street(user, street_code):
        return True  # staff of the street's recognised federation (hubs app)
    return delegation_for(user, street_code) is not None


def federation_on_behalf(user: Any, org: Organization) -> OnBehalfOf | None:
    """Whom a federation user answers a group's report for: the street that delegated to it
    (``None`` when the user acts in their own right: the street itself, a bureau)."""
    if not is_signed_in(user) or user.is_superuser or user.role != Role.HUB_STAFF:
        return None
    delegation = delegation_for(user, org.address_code[:9].ljust(12, "0"))
    if delegation is None:
        return None
    return OnBehalfOf(
        label=_("%(street)s（委托%(federation)s办理）")
        % {"street": delegation.street.name, "federation": delegation.federation.name},
        ref=delegation.street.code,
    )


# ---------------------------------------------------------------------------------------------
# One view of an application for the page and the API


# Capacities that act on the application itself (``system`` moves are nobody's button).
ACTING = frozenset({"applicant", "bureau", "community", "street"})


@dataclass(frozen=True)
class ApplicationView:
    """What one user may do with one application and see of it; pages and API read this."""

    held: frozenset[str]
    on_behalf_of: OnBehalfOf | None
    sees_personal_data: bool  # ID numbers and phones unmasked
    editable: bool  # may change its content (the service's rule)
    may_upload: bool

    @property
    def acts(self) -> bool:
        return bool(self.held & ACTING)


def editable_by(held: frozenset[str] | set[str], app: Application) -> bool:
    """The starter capacity (applicant, or bureau for bureau-started kinds) in an editable state."""
    from .workflows import APPLICANT_EDITABLE

    starter = "bureau" if WORKFLOWS[app.kind].started_by == "bureau" else "applicant"
    return starter in held and app.state in APPLICANT_EDITABLE


def application_view(user: Any, app: Application) -> ApplicationView:
    """The one answer to "what may this user do with this application, what is masked"."""
    from .selectors import reviews_application
    from .workflows import APPLICANT_EDITABLE, FINAL_STATES

    held, on_behalf = capacities_of(user, app)
    acting = frozenset(held)
    # ID numbers and phones: whoever acts on the application, the bureau of its place and the
    # reviewing departments; others (a street seeing a decided application …) see them masked.
    sees = bool(acting) or (
        is_signed_in(user)
        and (scope_of(user).is_bureau_for(app.address_code) or reviews_application(user, app))
    )
    may_upload = (
        bool(acting & ACTING)
        and app.state not in FINAL_STATES
        and ("bureau" in acting or app.state in APPLICANT_EDITABLE)
    )
    return ApplicationView(
        held=acting,
        on_behalf_of=on_behalf,
        sees_personal_data=sees,
        editable=editable_by(acting, app),
        may_upload=may_upload,
    )


# Roles that have activity reports at all: groups and their community report, the street
# (or its delegated federation) answers, the bureau looks on.
ACTIVITY_ROLES = frozenset(
    {
        *BUREAU_ROLES,
        Role.STREET_OFFICER,
        Role.COMMUNITY_WORKER,
        Role.HUB_STAFF,
        Role.ORG_USER,
    }
)


# ---------------------------------------------------------------------------------------------
# Which registration pages a user may open (the menu and the pages agree; the services decide
# every action)


def is_bureau_user(user: Any) -> bool:
    return is_signed_in(user) and (user.is_superuser or user.role in BUREAU_ROLES)


def sees_deadlines(user: Any) -> bool:
    return is_bureau_user(user) or (is_signed_in(user) and user.role == Role.STREET_OFFICER)


def sees_applications(user: Any) -> bool:
    """Roles that apply for, or act on, applications (others have nothing to list)."""
    return is_signed_in(user) and (
        user.is_superuser
        or user.role
        in (
            *BUREAU_ROLES,
            Role.STREET_OFFICER,
            Role.COMMUNITY_WORKER,
            Role.HUB_STAFF,
            Role.ORG_USER,
        )
        or user.role == Role.RESIDENT
    )


def is_reviewer(user: Any) -> bool:
    return is_signed_in(user) and (user.is_superuser or user.role == Role.REVIEWER)


def _owned_organizations(user: Any, *, kinds: Any = None) -> Any:
    from .selectors import owned_organizations

    return owned_organizations(user, kinds=kinds)


def startable_kinds(user: Any) -> list[str]:
    """The kinds the user may plausibly start (offered on the page; the service decides)."""
    if not is_signed_in(user):
        return []
    bureau = is_bureau_user(user)
    owns: bool | None = None
    kinds = []
    for kind, workflow in WORKFLOWS.items():
        if workflow.started_by == "bureau":
            allowed = bureau
        elif kind == "filing":
            allowed = bureau or user.role in FILING_STARTER_ROLES
        elif workflow.needs_organization:
            if owns is None:
                owns = _owned_organizations(user, kinds=workflow.org_kinds).exists()
            allowed = bureau or owns
        else:
            allowed = user.is_superuser or user.role in FOUNDER_ROLES
        if allowed:
            kinds.append(kind)
    return kinds


def can_use_activity_reports(user: Any) -> Decision:
    """The activity-report pages exist for groups, communities, streets, hubs and bureaus."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser or user.role in ACTIVITY_ROLES:
        return ALLOW
    return deny(_("您的角色没有重大活动报告"))


def can_view_delegations(user: Any) -> Decision:
    """Street offices and bureaus manage delegations in their region; hub staff see theirs."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.role == Role.HUB_STAFF or can_manage_delegation(user, user.scope_prefix or ""):
        return ALLOW
    return deny(_("只有街道、民政部门或受托联合会可以查看备案委托"))


def may_manage_delegations(user: Any) -> bool:
    return is_signed_in(user) and bool(can_manage_delegation(user, user.scope_prefix or ""))
