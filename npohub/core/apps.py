from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "npohub.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from .export_jobs import sweep_when_worker_starts

        sweep_when_worker_starts()
