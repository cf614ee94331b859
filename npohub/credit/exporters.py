"""Exports of the credit lists (core.exports): each the list page's own check, filters and
selector, the columns the page shows (ID numbers masked as on the page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, form_filters, register
from npohub.core.params import query_text
from npohub.core.validators import mask_id_number

from . import selectors
from .forms import ListingFilterForm
from .permissions import barred_person_view, can_manage_credit, can_view_lists

register(
    ExportDefinition(
        key="credit.listings",
        title=_("信用名单"),
        list_url="credit:listing-list",
        may_export=can_view_lists,
        filters=form_filters(ListingFilterForm),
        records=selectors.listing_list_for,
        columns=[
            attr(_("组织名称"), "organization.name"),
            attr(_("统一社会信用代码"), "organization.uscc"),
            attr(_("名单"), "credit_list"),
            attr(_("列入事由"), "reason"),
            attr(_("列入规则"), "rule.name"),
            attr(_("列入日期"), "listed_on"),
            attr(_("移出日期"), "removed_on"),
        ],
    )
)


def _request_filters(query: Mapping[str, Any]) -> dict[str, str]:
    """As the request list reads its query: state (default 待处理 "filed") and kind."""
    return {"state": query_text(query, "state") or "filed", "kind": query_text(query, "kind")}


register(
    ExportDefinition(
        key="credit.requests",
        title=_("异议与信用修复申请"),
        list_url="credit:request-list",
        may_export=can_manage_credit,
        filters=_request_filters,
        records=lambda user, f: selectors.request_list_for(user, state=f["state"], kind=f["kind"]),
        columns=[
            Column(_("申请"), lambda r: f"{r.get_kind_display()} #{r.pk}"),
            attr(_("组织名称"), "organization.name"),
            attr(_("名单"), "listing.credit_list"),
            attr(_("提出日期"), "filed_on"),
            attr(_("状态"), "state_label"),
        ],
    )
)


def _barred_rows(user: Any, filters: Any) -> Any:
    def build(person: Any) -> list[Any]:
        view = barred_person_view(user, person)
        shown = person.id_number if view.sees_id_number else mask_id_number(person.id_number)
        return [
            person.name,
            shown,
            person.reason,
            person.legal_basis,
            person.barred_from,
            person.barred_until,
            person.lifted_on,
        ]

    return build


register(
    ExportDefinition(
        key="credit.barred",
        title=_("限制从业人员名单"),
        list_url="credit:barred-list",
        may_export=can_manage_credit,
        filters=lambda query: query_text(query, "q"),
        records=lambda user, q: selectors.barred_person_list(search=q.strip()),
        columns=[
            Column(_("姓名")),
            Column(_("身份证号")),
            Column(_("事由")),
            Column(_("依据")),
            Column(_("限制起始")),
            Column(_("限制截止")),
            Column(_("解除日期")),
        ],
        build_rows=_barred_rows,
    )
)

register(
    ExportDefinition(
        key="credit.contacts",
        title=_("联系记录"),
        list_url="credit:contact-list",
        may_export=can_manage_credit,
        records=lambda user, _filters: selectors.contact_attempts_for(user),
        columns=[
            attr(_("组织名称"), "organization.name"),
            attr(_("方式"), "method"),
            attr(_("日期"), "sent_on"),
            Column(_("签收"), lambda a: bool(a.signed)),
            attr(_("说明"), "note"),
        ],
    )
)
