"""The stars pages in the staff menu (group 评估评星)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.core.navigation import NavItem, register
from npohub.core.permissions import is_signed_in

STAFF_ROLES = frozenset({*BUREAU_ROLES, Role.STREET_OFFICER, Role.HUB_STAFF})


def is_scorer(user: Any) -> bool:
    return is_signed_in(user) and user.role == Role.HUB_STAFF


def is_org_user(user: Any) -> bool:
    return is_signed_in(user) and user.role == Role.ORG_USER


def sees_star_work(user: Any) -> bool:
    """Bureaus, street offices and hub staff work scores, appeals, interviews and stars."""
    return is_signed_in(user) and (user.is_superuser or user.role in STAFF_ROLES)


def signed_in(user: Any) -> bool:
    return is_signed_in(user)


def register_navigation() -> None:
    items = [
        (_("月度评分录入"), "stars:scoring", is_scorer, 50),
        (_("月度评分"), "stars:scorecard-list", sees_star_work, 51),
        (_("我的月度评分"), "stars:my-scorecards", is_org_user, 52),
        (_("评分申诉"), "stars:appeal-list", sees_star_work, 53),
        (_("约谈任务"), "stars:interview-list", sees_star_work, 54),
        (_("星级评定"), "stars:star-list", sees_star_work, 55),
        (_("评优评选"), "stars:award-list", signed_in, 56),
        (_("月度评分表设置"), "stars:template-list", sees_star_work, 57),
    ]
    for label, url_name, visible, order in items:
        register(NavItem(label=label, url_name=url_name, visible=visible, order=order))
