from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "npohub.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from npohub.core.navigation import NavItem, register
        from npohub.core.params import guard_bounds
        from npohub.core.permissions import is_signed_in

        from . import signals
        from .permissions import can_manage_users

        signals.connect()
        guard_bounds(self)  # every value within its column, refused naming the field (issue 20)

        register(
            NavItem(
                label=_("用户管理"),
                url_name="accounts:user-list",
                visible=lambda user: bool(can_manage_users(user)),
                order=800,
            )
        )
        register(
            NavItem(label=_("我的账号"), url_name="accounts:me", visible=is_signed_in, order=900)
        )
