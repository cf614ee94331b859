from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "npohub.hubs"
    label = "hubs"
    verbose_name = _("枢纽组织与联合会")

    def ready(self) -> None:
        from npohub.core.params import guard_bounds

        guard_bounds(self)  # every value within its column, refused naming the field (issue 20)
        from npohub.notifications.kinds import register_kind

        register_kind("hubs.recognised", _("枢纽认定与撤销"), default_email=True)
        register_kind("hubs.roster", _("枢纽成员名册变动"))
        register_kind("hubs.notice", _("枢纽通知"))
        register_kind("hubs.escalation", _("枢纽上报事项"), default_email=True)

        from .registry import register_review_subject

        # The two submissions the issue names; their apps may add hooks (see registry.py).
        register_review_subject("registration.filing", _("备案材料初审"))
        register_review_subject("supervision.annual_report", _("年度报告初审"))

        from . import navigation

        navigation.register_navigation()
