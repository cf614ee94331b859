"""Party building (党建): party organizations, work stations, instructors and liaisons, coverage."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "npohub.party"
    label = "party"
    verbose_name = _("党建")

    def ready(self) -> None:
        from npohub.core.navigation import NavItem, register

        from . import credit_hook
        from .permissions import can_view_party, party_region_prefix

        # The credit engine's "no required Party organisation" trigger (rule 29).
        credit_hook.register()
        # Region users start on the coverage page; a party officer with granted units only
        # (no region) starts on the party organisations of those units.
        register(
            NavItem(
                label=_("党建工作"),
                url_name="party:coverage",
                visible=lambda user: (
                    bool(can_view_party(user))
                    and (user.is_superuser or bool(party_region_prefix(user)))
                ),
                order=60,
            )
        )
        register(
            NavItem(
                label=_("党组织"),
                url_name="party:organization-list",
                visible=lambda user: (
                    bool(can_view_party(user))
                    and not (user.is_superuser or party_region_prefix(user))
                ),
                order=61,
            )
        )
