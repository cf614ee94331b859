"""Exports of the rating lists (core.exports): the pages' checks and scoped selectors, the
columns the pages show."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, register

from . import selectors
from .permissions import sees_bureau_pages, sees_rounds

register(
    ExportDefinition(
        key="ratings.grades",
        title=_("评估等级"),
        list_url="ratings:grade-list",
        may_export=sees_bureau_pages,
        records=lambda user, _filters: selectors.grade_list_for(user),
        columns=[
            attr(_("组织"), "organization.name"),
            attr(_("统一社会信用代码"), "organization.uscc"),
            attr(_("等级"), "level"),
            attr(_("授予日期"), "awarded_on"),
            attr(_("有效期至"), "valid_until"),
            attr(_("状态"), "state"),
            attr(_("证书编号"), "certificate_number"),
            Column(_("证书/牌匾交回日期"), lambda g: g.certificate_returned_on),
        ],
    )
)

register(
    ExportDefinition(
        key="ratings.rounds",
        title=_("评估轮次"),
        list_url="ratings:round-list",
        may_export=sees_rounds,
        records=lambda user, _filters: selectors.round_list_for(user),
        columns=[
            attr(_("轮次"), "name"),
            attr(_("年度"), "year"),
            attr(_("辖区"), "region.name"),
            attr(_("阶段"), "state"),
        ],
    )
)
