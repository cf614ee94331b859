"""The grade-assessment pages in the staff menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from npohub.core.navigation import NavItem, register

from .permissions import is_expert, sees_bureau_pages, sees_rounds


def register_items() -> None:
    register(
        NavItem(
            label=_("等级评估"),
            url_name="ratings:round-list",
            visible=sees_rounds,
            order=70,
        )
    )
    register(
        NavItem(
            label=_("我的评分任务"),
            url_name="ratings:assignment-list",
            visible=is_expert,
            order=71,
        )
    )
    register(
        NavItem(
            label=_("评估等级管理"),
            url_name="ratings:grade-list",
            visible=sees_bureau_pages,
            order=72,
        )
    )
    register(
        NavItem(
            label=_("评估专家库"),
            url_name="ratings:expert-list",
            visible=sees_bureau_pages,
            order=73,
        )
    )
