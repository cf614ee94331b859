"""The credit pages in the staff menu."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from npohub.core.navigation import NavItem, register
from npohub.core.permissions import is_signed_in

from .permissions import is_bureau


def sees_credit_lists(user: Any) -> bool:
    return is_bureau(user) or (
        is_signed_in(user) and user.role in {"street_officer", "community_worker"}
    )


def is_org_user(user: Any) -> bool:
    return is_signed_in(user) and user.role == "org_user" and not user.is_superuser


def register_items() -> None:
    register(
        NavItem(
            label=_("信用名单"),  # type: ignore[arg-type]
            url_name="credit:listing-list",
            visible=sees_credit_lists,
            order=40,
        )
    )
    register(
        NavItem(
            label=_("异议与信用修复"),  # type: ignore[arg-type]
            url_name="credit:request-list",
            visible=is_bureau,
            order=41,
        )
    )
    register(
        NavItem(
            label=_("本组织信用"),  # type: ignore[arg-type]
            url_name="credit:my-credit",
            visible=is_org_user,
            order=42,
        )
    )
