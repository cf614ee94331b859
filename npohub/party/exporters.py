"""Export of the party-organisation list (core.exports): the page's check, filter form and
scoped selector, the columns the page shows."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, form_filters, register

from . import selectors
from .forms import PartyOrganizationFilterForm
from .permissions import can_view_party


def _tier(po: Any) -> str:
    label = po.get_tier_display()
    return f"{label}（{po.industry}）" if po.industry else str(label)


register(
    ExportDefinition(
        key="party.organizations",
        title=_("党组织"),
        list_url="party:organization-list",
        may_export=can_view_party,
        filters=form_filters(PartyOrganizationFilterForm),
        records=selectors.party_organization_list_for,
        columns=[
            attr(_("名称"), "name"),
            Column(_("层级"), _tier),
            attr(_("所在单位"), "host_organization.name"),
            attr(_("书记"), "secretary.name"),
            attr(_("正式党员"), "formal_members"),
            attr(_("预备党员"), "probationary_members"),
            attr(_("积极分子"), "activists"),
            attr(_("覆盖单位"), "covered_units"),
            attr(_("成立日期"), "established_on"),
            attr(_("撤销日期"), "dissolved_on"),
        ],
    )
)


register(
    ExportDefinition(
        key="party.industry_committees",
        title=_("行业党委"),
        list_url="party:industry-committee-list",
        may_export=can_view_party,
        records=lambda user, _f: selectors.party_organization_list_for(
            user, selectors.PartyOrganizationFilters(industry_only=True, include_dissolved=True)
        ),
        columns=[
            attr(_("名称"), "name"),
            attr(_("行业"), "industry"),
            attr(_("依托枢纽组织"), "host_organization.name"),
            attr(_("书记"), "secretary.name"),
            attr(_("正式党员"), "formal_members"),
            attr(_("成立日期"), "established_on"),
            Column(_("状态"), lambda po: str(_("已撤销")) if po.dissolved_on else str(_("存续"))),
        ],
    )
)


def _budget_this_year(station: Any) -> Any:
    year = timezone.localdate().year
    return next((b.amount for b in station.budgets.all() if b.year == year), None)


register(
    ExportDefinition(
        key="party.stations",
        title=_("党建工作站"),
        list_url="party:station-list",
        may_export=can_view_party,
        records=lambda user, _f: selectors.work_station_list_for(user),
        columns=[
            attr(_("名称"), "name"),
            attr(_("依托枢纽组织"), "host_organization.name"),
            Column(_("本年经费（元）"), _budget_this_year),
            attr(_("联系社会组织"), "linked_organizations"),
            attr(_("联系党组织"), "linked_party_organizations"),
            attr(_("设立日期"), "established_on"),
            attr(_("撤销日期"), "closed_on"),
        ],
    )
)

register(
    ExportDefinition(
        key="party.instructors",
        title=_("党建工作指导员/联络员"),
        list_url="party:instructor-list",
        may_export=can_view_party,
        filters=lambda query: query.get("ended") == "1",
        records=lambda user, ended: selectors.instructor_list_for(user, include_ended=ended),
        columns=[
            attr(_("姓名"), "person.name"),
            attr(_("类别"), "kind"),
            attr(_("所在单位"), "unit_label"),
            attr(_("联系单位数"), "caseload"),
            attr(_("选派日期"), "appointed_on"),
            attr(_("离任日期"), "ended_on"),
        ],
    )
)
