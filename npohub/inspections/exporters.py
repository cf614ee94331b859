"""Exports of the spot-check lists (core.exports): the pages' checks, query reading and scoped
selectors, the columns the pages show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, register
from npohub.core.params import query_text, query_year

from . import selectors
from .models import CheckStatus
from .permissions import sees_checks
from .workflows import STATE_LABELS, state_label


def _plan_filters(query: Mapping[str, Any]) -> dict[str, Any]:
    """As the plan list reads its query: year, state (unknown states ignored)."""
    state = query_text(query, "state")
    return {"year": query_year(query), "state": state if state in STATE_LABELS else ""}


register(
    ExportDefinition(
        key="inspections.plans",
        title=_("抽查计划"),
        list_url="inspections:plan-list",
        may_export=sees_checks,
        filters=_plan_filters,
        records=lambda user, f: selectors.plan_list_for(user, year=f["year"], state=f["state"]),
        columns=[
            attr(_("年度"), "year"),
            attr(_("计划名称"), "title"),
            attr(_("登记管理机关"), "authority_region.name"),
            attr(_("类型"), "kind"),
            attr(_("方式"), "method"),
            Column(_("状态"), lambda p: state_label(p.state)),
        ],
    )
)


def _check_filters(query: Mapping[str, Any]) -> str:
    status = query_text(query, "status")
    return status if status in CheckStatus.values else ""


def _inspectors(check: Any) -> str:
    return "、".join(str(a.user) for a in getattr(check, "active_assignments", []))


register(
    ExportDefinition(
        key="inspections.checks",
        title=_("抽查对象"),
        list_url="inspections:check-list",
        may_export=sees_checks,
        filters=_check_filters,
        records=lambda user, status: selectors.check_list_for(user, status=status),
        columns=[
            Column(_("计划"), lambda c: f"{c.plan.year} {c.plan.title}"),
            attr(_("序号"), "number"),
            attr(_("组织"), "organization.name"),
            Column(_("检查人员"), _inspectors),
            attr(_("状态"), "status"),
            attr(_("结论"), "conclusion"),
        ],
    )
)
