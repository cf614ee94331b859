"""The credit pages in the staff menu (who sees each entry: ``permissions.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from npohub.core.navigation import NavItem, register

from .permissions import is_org_user, sees_credit_desk, sees_credit_lists


def register_items() -> None:
    register(
        NavItem(
            label=_("信用名单"),
            url_name="credit:listing-list",
            visible=sees_credit_lists,
            order=40,
        )
    )
    register(
        NavItem(
            label=_("异议与信用修复"),
            url_name="credit:request-list",
            visible=sees_credit_desk,
            order=41,
        )
    )
    register(
        NavItem(
            label=_("本组织信用"),
            url_name="credit:my-credit",
            visible=is_org_user,
            order=42,
        )
    )
