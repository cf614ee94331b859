from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "npohub.enforcement"
    label = "enforcement"
    verbose_name = _("投诉举报与行政处罚")
