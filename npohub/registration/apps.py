from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "npohub.registration"
    label = "registration"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from npohub.notifications.kinds import register_kind

        register_kind("registration.update", _("我的申请进展"), default_email=True)
        register_kind("registration.to_accept", _("待受理的登记申请"))
        register_kind("registration.to_decide", _("联审完成待决定的申请"))
        register_kind("registration.review_task", _("联审任务"), default_email=True)
        register_kind("registration.filing", _("备案申请待办"))
        register_kind("registration.deadline", _("法定时限提醒"), default_email=True)
        register_kind("registration.activity_report", _("重大活动报告"))

        # The registration pages in the staff menu (who sees which item: permissions.py).
        from npohub.core.navigation import NavItem, register

        from . import permissions

        register(
            NavItem(
                label=_("登记审批"),
                url_name="registration:overview",
                visible=permissions.is_bureau_user,
                order=20,
            )
        )
        register(
            NavItem(
                label=_("登记申请"),
                url_name="registration:application-list",
                visible=lambda user: (
                    permissions.sees_applications(user) and not permissions.is_bureau_user(user)
                ),
                order=21,
            )
        )
        register(
            NavItem(
                label=_("联审任务"),
                url_name="registration:review-list",
                visible=lambda user: permissions.is_reviewer(user) and not user.is_superuser,
                order=22,
            )
        )

        from .views.filing import register_filing_navigation

        register_filing_navigation()
