from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "npohub.dashboards"
    label = "dashboards"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from npohub.core.navigation import NavItem, register

        from .permissions import can_view_region_dashboards

        register(
            NavItem(
                label=_("区划统计"),  # type: ignore[arg-type]
                url_name="dashboards:region",
                visible=lambda user: bool(can_view_region_dashboards(user)),
                order=50,
            )
        )
