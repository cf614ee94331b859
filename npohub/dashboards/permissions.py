"""Who may open the statistics dashboards."""

from __future__ import annotations

from django.utils.translation import gettext as _

from npohub.accounts.models import Viewer
from npohub.core.permissions import ALLOW, Decision, deny
from npohub.orgs.scope import scope_of
from npohub.regions.codes import pad


def can_view_region_dashboards(user: Viewer) -> Decision:
    """Region dashboards are for superusers and region roles that hold a region scope."""
    scope = scope_of(user)
    if not scope.signed_in:
        return deny(_("请先登录"))
    if scope.everything or scope.has_region:
        return ALLOW
    return deny(_("区划统计仅限民政部门、街道和社区工作人员使用"))


def can_view_region_dashboard(user: Viewer, code: str) -> Decision:
    """A region dashboard may be opened only for a region inside the user's scope."""
    decision = can_view_region_dashboards(user)
    if not decision:
        return decision
    if scope_of(user).covers(pad(code)):
        return ALLOW
    return deny(_("该区划不在您的管辖范围内"))
