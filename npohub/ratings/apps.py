"""Grade assessment (等级评估 1A–5A): rounds, indicator trees, experts, objections, grades."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "npohub.ratings"
    label = "ratings"
    verbose_name = _("等级评估")

    def ready(self) -> None:
        from npohub.core.params import guard_bounds

        guard_bounds(self)  # every value within its column, refused naming the field (issue 20)
        from npohub.credit import registry
        from npohub.notifications.kinds import register_kind

        from . import navigation, services

        register_kind("ratings.grade_expiring", _("评估等级即将到期"), default_email=True)
        register_kind("ratings.grade_changed", _("评估等级降级或取消"), default_email=True)
        # Rule 39: registered two full years, a legal person, no grade still valid.
        registry.register_eligibility_check(
            "ratings.seniority", services.seniority_reasons, purposes=("rating",)
        )
        navigation.register_items()
