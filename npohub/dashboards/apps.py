from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "npohub.dashboards"
    label = "dashboards"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules
        from django.utils.translation import gettext_lazy as _

        from npohub.core.permissions import is_signed_in

        # Each app's to-do providers for the home page (npohub.core.todo) live in its todo.py.
        autodiscover_modules("todo")

        from npohub.core.navigation import NavItem, register

        from .permissions import can_view_region_dashboards

        register(
            NavItem(
                label=_("区划统计"),
                url_name="dashboards:region",
                visible=lambda user: bool(can_view_region_dashboards(user)),
                order=50,
            )
        )
        register(
            NavItem(
                label=_("工作台"),
                url_name="dashboards:home",
                visible=is_signed_in,
                order=0,
                group="home",
            )
        )
