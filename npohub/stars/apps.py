"""Monthly 10-point scoring (月规范), the annual star rating (年考核, 1–5 stars) and excellence awards."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StarsConfig(AppConfig):
    name = "npohub.stars"
    label = "stars"
    verbose_name = _("月度评分与星级评定")

    def ready(self) -> None:
        from npohub.core.params import guard_bounds

        guard_bounds(self)  # every value within its column, refused naming the field (issue 20)
        from npohub.notifications.kinds import register_kind

        category = "评估评星"
        register_kind("stars.interview", _("约谈提醒与整改"), default_email=True, category=category)
        register_kind("stars.appeal", _("月度评分申诉"), category=category)
        from . import navigation

        navigation.register_navigation()
