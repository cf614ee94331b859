"""Exports of the hub lists (core.exports): hubs, street federations and service platforms, each
the page's check, query reading and scoped selector, with the columns the page shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, check_form, register
from npohub.core.params import query_text

from . import forms, selectors
from .permissions import can_view_hubs


def _hub_filters(query: Mapping[str, Any]) -> Any:
    form = check_form(forms.HubFilterForm(query or None))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return selectors.HubFilters(kind=data["kind"], status=data["status"], search=data["q"])
    return selectors.HubFilters()


def _coverage(hub: Any) -> str:
    region = hub.region.name if hub.region_id else ""
    return f"{region} · {hub.category.name}" if hub.category_id else region


register(
    ExportDefinition(
        key="hubs.hubs",
        title=_("枢纽型社会组织"),
        list_url="hubs:hub-list",
        may_export=can_view_hubs,
        filters=_hub_filters,
        records=selectors.hub_list_for,
        columns=[
            attr(_("名称"), "name"),
            attr(_("类型"), "kind"),
            Column(_("覆盖范围"), _coverage),
            attr(_("认定文号"), "decision_number"),
            attr(_("有效期自"), "valid_from"),
            Column(_("有效期至"), lambda h: h.valid_until or str(_("长期"))),
            attr(_("成员"), "member_count"),
            attr(_("状态"), "status"),
        ],
    )
)


def _federations(user: Any, region: str) -> Any:
    prefix = selectors.list_prefix_for(user, region)
    return selectors.federation_visible_to(user).filter(street_code__startswith=prefix[:9])


register(
    ExportDefinition(
        key="hubs.federations",
        title=_("街道社区社会组织联合会"),
        list_url="hubs:federation-list",
        may_export=can_view_hubs,
        filters=lambda query: query_text(query, "region"),
        records=_federations,
        columns=[
            attr(_("街道（乡镇）"), "street.name"),
            attr(_("联合会"), "name"),
            attr(_("会长"), "chair.name"),
            attr(_("会长职务"), "chair_title"),
            Column(_("街道负责人任会长"), lambda f: bool(f.chaired_by_street_head)),
            attr(_("成立日期"), "established_on"),
        ],
    )
)


def _platforms(user: Any, level: str) -> Any:
    qs = selectors.platform_visible_to(user)
    return qs.filter(level=level) if level else qs


register(
    ExportDefinition(
        key="hubs.platforms",
        title=_("社会组织服务平台"),
        list_url="hubs:platform-list",
        may_export=can_view_hubs,
        filters=lambda query: query_text(query, "level"),
        records=_platforms,
        columns=[
            attr(_("平台"), "name"),
            attr(_("层级"), "level"),
            attr(_("区划"), "region.name"),
            attr(_("运营枢纽"), "operator.name"),
            Column(_("服务内容"), lambda p: "、".join(o.name for o in p.offerings.all())),
            attr(_("孵化出壳"), "incubated_count"),
        ],
    )
)
