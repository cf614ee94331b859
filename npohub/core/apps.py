from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "npohub.core"
    label = "core"
    verbose_name = "核心"
