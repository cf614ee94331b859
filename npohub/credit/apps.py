"""Credit information, the two credit lists (活动异常名录 / 严重违法失信名单) as a rule engine, objections, credit repair, barred persons, contact attempts, and the shared eligibility service."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "npohub.credit"
    label = "credit"
    verbose_name = _("信用管理")

    def ready(self) -> None:
        from npohub.notifications.kinds import register_kind
        from npohub.orgs import services as org_services

        from .selectors import barred_person_message

        category = "信用管理"
        register_kind(
            "credit.listed", _("组织被列入信用名单"), default_email=True, category=category
        )
        register_kind("credit.removed", _("组织移出信用名单"), category=category)
        register_kind("credit.request_filed", _("收到异议/信用修复申请"), category=category)
        register_kind(
            "credit.request_decided",
            _("异议/信用修复申请已处理"),
            default_email=True,
            category=category,
        )
        if barred_person_message not in org_services.PERSON_CHECKS:
            org_services.PERSON_CHECKS.append(barred_person_message)
        from . import (
            navigation,
            workflows,  # noqa: F401 - registers objection and repair with the engine
        )

        navigation.register_items()
