from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "npohub.notifications"
    label = "notifications"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from npohub.core.navigation import NavItem, register
        from npohub.core.permissions import is_signed_in

        register(
            NavItem(
                label=_("消息通知"),
                url_name="notifications:notification-list",
                visible=is_signed_in,
                order=850,
            )
        )
