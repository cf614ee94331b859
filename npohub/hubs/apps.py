from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "npohub.hubs"
    label = "hubs"
    verbose_name = _("枢纽组织与联合会")
