from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "npohub.regions"
    label = "regions"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from npohub.core.navigation import NavItem, register

        register(
            NavItem(
                label=_("行政区划"),
                url_name="regions:region-list",
                visible=lambda user: bool(getattr(user, "is_bureau", False) or user.is_superuser),
                order=700,
            )
        )
