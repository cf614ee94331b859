"""Export of the staff-account list (core.exports): the page's check, filter form and scoped
selector, the columns the page shows (no password, phone or second-factor data)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from npohub.core.exports import Column, ExportDefinition, attr, form_filters, register

from .forms import UserFilterForm
from .permissions import can_manage_users
from .selectors import user_list_for


def _read(form: Any) -> dict[str, str]:
    data = getattr(form, "cleaned_data", {}) if form.is_bound else {}
    return {"search": data.get("q", ""), "role": data.get("role", "")}


register(
    ExportDefinition(
        key="accounts.users",
        title=_("用户"),
        list_url="accounts:user-list",
        may_export=can_manage_users,
        filters=form_filters(UserFilterForm, read=_read),
        records=lambda user, f: user_list_for(user, search=f["search"], role=f["role"]),
        columns=[
            attr(_("用户名"), "username"),
            attr(_("姓名"), "display_name"),
            attr(_("角色"), "role"),
            attr(_("所辖区划"), "region.name"),
            attr(_("区划代码"), "region.code"),
            attr(_("所在单位"), "organization_label"),
            Column(_("用户管理员"), lambda u: u.is_user_admin),
            Column(_("状态"), lambda u: str(_("启用")) if u.is_active else str(_("停用"))),
        ],
    )
)
