"""Who may open the statistics dashboards."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from npohub.accounts.models import REGION_ROLES
from npohub.core.permissions import ALLOW, Decision, deny, is_signed_in
from npohub.regions.codes import pad


def can_view_region_dashboards(user: Any) -> Decision:
    """Region dashboards are for superusers and region roles that hold a region scope."""
    if not is_signed_in(user):
        return deny(_("请先登录"))
    if user.is_superuser:
        return ALLOW
    if user.role in REGION_ROLES and user.scope_prefix:
        return ALLOW
    return deny(_("区划统计仅限民政部门、街道和社区工作人员使用"))


def can_view_region_dashboard(user: Any, code: str) -> Decision:
    """A region dashboard may be opened only for a region inside the user's scope."""
    decision = can_view_region_dashboards(user)
    if not decision:
        return decision
    if user.is_superuser or pad(code).startswith(user.scope_prefix):
        return ALLOW
    return deny(_("该区划不在您的管辖范围内"))
