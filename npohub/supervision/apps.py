"""Annual reports (年度工作报告): calendar, sections per kind, validation, review conclusions, rectification, reminders."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "npohub.supervision"
    label = "supervision"
    verbose_name = _("年度报告")

    def ready(self) -> None:
        from npohub.core.params import guard_bounds

        guard_bounds(self)  # every value within its column, refused naming the field (issue 20)
        from npohub.core.navigation import NavItem, register
        from npohub.credit import registry
        from npohub.notifications.kinds import register_kind

        from . import services
        from .permissions import sees_dashboard, sees_reports

        register_kind("supervision.update", _("我的年度报告进展"), default_email=True)
        register_kind("supervision.to_review", _("待审查的年度报告"))
        register_kind("supervision.deadline", _("年度报告报送期限提醒"), default_email=True)

        # Rule 24: a report not filed by its deadline is a credit fact (the credit engine lists it).
        registry.register_detector("annual_report_late", services.detect_late_reports)
        # PG39 art. 7 (domain-rules §7): barred from rating, star rating and awards.
        purposes = ("rating", "star_rating", "award")
        registry.register_eligibility_check(
            "supervision.inspection_missed", services.check_missed_inspection, purposes=purposes
        )
        registry.register_eligibility_check(
            "supervision.inspection_failed", services.check_failed_inspection, purposes=purposes
        )
        registry.register_eligibility_check(
            "supervision.basic_pass_twice", services.check_basic_pass_twice, purposes=purposes
        )

        register(
            NavItem(
                label=_("年度报告"),
                url_name="supervision:report-list",
                visible=sees_reports,
                order=30,
            )
        )
        register(
            NavItem(
                label=_("年报统计"),
                url_name="supervision:dashboard",
                visible=sees_dashboard,
                order=31,
            )
        )
