from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "npohub.enforcement"
    label = "enforcement"
    verbose_name = _("投诉举报与行政处罚")

    def ready(self) -> None:
        from npohub.core.params import guard_bounds

        guard_bounds(self)  # every value within its column, refused naming the field (issue 20)
        from npohub.credit import registry
        from npohub.notifications.kinds import register_kind

        register_kind("enforcement.complaint_new", _("新的投诉举报"))
        register_kind("enforcement.complaint_assigned", _("分派给我的投诉举报"), default_email=True)
        register_kind("enforcement.complaint_due", _("投诉举报答复期限提醒"), default_email=True)
        register_kind("enforcement.case_proposed", _("拟立案的行政处罚案件"))
        register_kind("enforcement.case_decision", _("行政处罚告知与决定"), default_email=True)

        from .eligibility import PURPOSES, investigation_reasons, penalty_reasons
        from .services import missing_reports_detector

        registry.register_eligibility_check(
            "enforcement.penalties", penalty_reasons, purposes=PURPOSES
        )
        registry.register_eligibility_check(
            "enforcement.investigation", investigation_reasons, purposes=PURPOSES
        )
        registry.register_detector("enforcement.missing_reports", missing_reports_detector)

        from npohub.core.navigation import NavItem, register

        from .permissions import has_bureau_pages, is_enforcement_staff

        register(
            NavItem(
                label=_("投诉举报"),
                url_name="enforcement:complaint-list",
                visible=is_enforcement_staff,
                order=60,
            )
        )
        register(
            NavItem(
                label=_("行政处罚"),
                url_name="enforcement:case-list",
                visible=has_bureau_pages,
                order=61,
            )
        )
        register(
            NavItem(
                label=_("僵尸型组织清理"),
                url_name="enforcement:campaign-list",
                visible=has_bureau_pages,
                order=62,
            )
        )
