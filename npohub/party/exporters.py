"""Export of the party-organisation list (core.exports): the page's check, filter form and
scoped selector, the columns the page shows."""

from __future__ import annotations

from typing import Any

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
