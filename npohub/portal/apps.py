from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "npohub.portal"
    label = "portal"
