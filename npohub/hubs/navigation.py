"""The hubs pages in the staff menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import Role
from npohub.core.navigation import NavItem, register

from .permissions import can_view_hubs
from .selectors import Viewer


def sees_hubs(user: Viewer) -> bool:
    return bool(can_view_hubs(user))


def sees_notice_inbox(user: Viewer) -> bool:
    return bool(getattr(user, "role", "") == Role.ORG_USER)


def register_navigation() -> None:
    register(NavItem(label=_("枢纽组织"), url_name="hubs:hub-list", visible=sees_hubs, order=40))
    register(
        NavItem(
            label=_("街道联合会"),
            url_name="hubs:federation-list",
            visible=sees_hubs,
            order=41,
        )
    )
    register(
        NavItem(
            label=_("服务平台"),
            url_name="hubs:platform-list",
            visible=sees_hubs,
            order=42,
        )
    )
    register(
        NavItem(
            label=_("结对共建"),
            url_name="hubs:pairing-list",
            visible=sees_hubs,
            order=44,
        )
    )
    register(
        NavItem(
            label=_("覆盖情况"),
            url_name="hubs:coverage",
            visible=sees_hubs,
            order=45,
        )
    )
    register(
        NavItem(
            label=_("枢纽通知"),
            url_name="hubs:notice-inbox",
            visible=sees_notice_inbox,
            order=43,
        )
    )
