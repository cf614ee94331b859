"""Random spot checks (双随机、一公开): plans, verifiable draws, inspector conflicts, inspection records, findings, rectification orders, publication."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "npohub.inspections"
    label = "inspections"
    verbose_name = _("双随机一公开抽查")

    def ready(self) -> None:
        from npohub.core.params import guard_bounds

        guard_bounds(self)  # every value within its column, refused naming the field (issue 20)
        from npohub.core.navigation import NavItem, register
        from npohub.credit import registry
        from npohub.notifications.kinds import register_kind

        from .credit_hooks import FACT_KIND, detect_overdue_rectifications
        from .permissions import sees_checks, sees_plans

        register_kind("inspections.notice", _("抽查告知"), default_email=True)
        register_kind("inspections.findings", _("抽查结论"), default_email=True)
        register_kind("inspections.rectification", _("整改通知"), default_email=True)
        register_kind("inspections.task", _("抽查任务"))
        registry.register_detector(FACT_KIND, detect_overdue_rectifications)
        register(
            NavItem(
                label=_("双随机抽查"),
                url_name="inspections:plan-list",
                visible=sees_plans,
                order=40,
            )
        )
        register(
            NavItem(
                label=_("我的抽查任务"),
                url_name="inspections:check-list",
                visible=lambda user: sees_checks(user) and not sees_plans(user),
                order=41,
            )
        )
