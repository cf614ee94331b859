from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StarsConfig(AppConfig):
    name = "npohub.stars"
    label = "stars"
    verbose_name = _("月度评分与星级评定")
