"""The stars pages in the staff menu (group 评估评星)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from npohub.core.navigation import NavItem, register

from .permissions import is_org_user, is_scorer, sees_star_work, signed_in


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
