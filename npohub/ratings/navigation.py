"""The grade-assessment pages in the staff menu."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from npohub.core.navigation import NavItem, register
from npohub.core.permissions import is_signed_in

from .permissions import is_bureau


def sees_rounds(user: Any) -> bool:
    return is_bureau(user) or (is_signed_in(user) and user.role in {"org_user", "expert"})


def is_expert(user: Any) -> bool:
    return is_signed_in(user) and user.role == "expert"


def register_items() -> None:
    register(
        NavItem(
            label=_("等级评估"),  # type: ignore[arg-type]
            url_name="ratings:round-list",
            visible=sees_rounds,
            order=70,
        )
    )
    register(
        NavItem(
            label=_("我的评分任务"),  # type: ignore[arg-type]
            url_name="ratings:assignment-list",
            visible=is_expert,
            order=71,
        )
    )
    register(
        NavItem(
            label=_("评估等级管理"),  # type: ignore[arg-type]
            url_name="ratings:grade-list",
            visible=is_bureau,
            order=72,
        )
    )
    register(
        NavItem(
            label=_("评估专家库"),  # type: ignore[arg-type]
            url_name="ratings:expert-list",
            visible=is_bureau,
            order=73,
        )
    )
