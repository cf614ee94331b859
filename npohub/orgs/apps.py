from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "npohub.orgs"
    label = "orgs"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from npohub.core.navigation import NavItem, register

        from .permissions import can_list_organizations

        register(
            NavItem(
                label=_("社会组织名录"),
                url_name="orgs:organization-list",
                visible=lambda user: bool(can_list_organizations(user)),
                order=10,
            )
        )
        from .import_jobs import sweep_when_worker_starts
        from .imports import register_import_navigation

        register_import_navigation()
        sweep_when_worker_starts()
