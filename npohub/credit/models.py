"""Credit information (XY60), the two credit lists as a rule engine, objections and repair,
contact attempts and barred persons."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from npohub.core.params import decimal_within, length_within


class FactKind(models.TextChoices):
    ANNUAL_REPORT_LATE = "annual_report_late", _("未按时报送年度报告")
    ANNUAL_REPORT_NONCOMPLIANT = "annual_report_noncompliant", _("年度报告不符合要求")
    PARTY_ORG_MISSING = "party_org_missing", _("未按规定建立党组织")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("责令整改逾期未改")
    FUNDRAISING_LAPSED = "fundraising_lapsed", _("公开募捐资格不再符合或6个月未开展募捐")
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    CANNOT_CONTACT = "cannot_contact", _("通过登记住所无法联系")
    SUSPENSION_ORDER = "suspension_order", _("责令限期停止活动")
    FRAUD_CHANGE_REVOKED = "fraud_change_revoked", _("以欺骗等手段取得变更登记被撤销")
    COURT_DISHONEST_DEBTOR = "court_dishonest_debtor", _("被列入失信被执行人名单")
    REGISTRATION_REVOKED = "registration_revoked", _("被撤销登记")
    CERTIFICATE_REVOKED = "certificate_revoked", _("被吊销登记证书")
    GRADE_AWARDED = "grade_awarded", _("获得评估等级")
    AWARD = "award", _("获得政府表彰")
    PURCHASE_UNDERTAKEN = "purchase_undertaken", _("承接政府购买服务")


class FactCategory(models.TextChoices):
    """XY60 art. 6–7."""

    BASIC = "basic", _("基础信息")
    ANNUAL_REPORT = "annual_report", _("年报信息")
    INSPECTION = "inspection", _("行政检查信息")
    PENALTY = "penalty", _("行政处罚信息")
    OTHER = "other", _("其他信息")


FACT_CATEGORY: dict[str, str] = {
    FactKind.ANNUAL_REPORT_LATE: FactCategory.ANNUAL_REPORT,
    FactKind.ANNUAL_REPORT_NONCOMPLIANT: FactCategory.ANNUAL_REPORT,
    FactKind.PARTY_ORG_MISSING: FactCategory.INSPECTION,
    FactKind.RECTIFICATION_OVERDUE: FactCategory.INSPECTION,
    FactKind.FUNDRAISING_LAPSED: FactCategory.INSPECTION,
    FactKind.WARNING: FactCategory.PENALTY,
    FactKind.FINE: FactCategory.PENALTY,
    FactKind.CANNOT_CONTACT: FactCategory.INSPECTION,
    FactKind.SUSPENSION_ORDER: FactCategory.PENALTY,
    FactKind.FRAUD_CHANGE_REVOKED: FactCategory.PENALTY,
    FactKind.COURT_DISHONEST_DEBTOR: FactCategory.OTHER,
    FactKind.REGISTRATION_REVOKED: FactCategory.PENALTY,
    FactKind.CERTIFICATE_REVOKED: FactCategory.PENALTY,
    FactKind.GRADE_AWARDED: FactCategory.OTHER,
    FactKind.AWARD: FactCategory.OTHER,
    FactKind.PURCHASE_UNDERTAKEN: FactCategory.OTHER,
}


class FactSource(models.TextChoices):
    """Where a credit fact came from (the app or hand that recorded it), in words."""

    SUPERVISION = "supervision", _("年度报告（年检）")
    ENFORCEMENT = "enforcement", _("行政执法")
    INSPECTIONS = "inspections", _("抽查检查")
    PARTY = "party", _("党建工作")
    CREDIT = "credit", _("信用管理（联系记录）")
    MANUAL = "manual", _("人工录入")


class CreditFact(models.Model):
    """One piece of credit information about an organisation (XY60 art. 6–7)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="credit_facts"
    )
    kind = models.CharField(_("信息类型"), max_length=32, choices=FactKind.choices)
    category = models.CharField(_("信息类别"), max_length=16, choices=FactCategory.choices)
    arose_on = models.DateField(_("产生日期"), db_index=True)
    entered_on = models.DateField(_("录入日期"))
    # Rule 28: entered more than N working days after it arose.
    is_late_entry = models.BooleanField(_("逾期录入"), default=False, db_index=True)
    summary = models.CharField(_("摘要"), max_length=500)
    legal_basis = models.CharField(_("法律依据"), max_length=300, blank=True, default="")
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    evidence = models.JSONField(_("证据"), default=dict, blank=True)
    source = models.CharField(_("来源"), max_length=40, choices=FactSource.choices)
    source_ref = models.CharField(_("来源标识"), max_length=120)
    resolved_on = models.DateField(_("履行/整改日期"), null=True, blank=True)
    resolved_note = models.CharField(_("履行/整改说明"), max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # When the listing engine took the fact into account (None: not evaluated yet).
    processed_on = models.DateField(_("评估日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用信息")
        verbose_name_plural = _("信用信息")
        ordering = ["-arose_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_ref"], name="creditfact_kind_ref_unique"
            ),
            # Bounded values on both engines (SQLite enforces neither digits nor lengths).
            decimal_within("amount", 14, 2, name="creditfact_amount_bounded"),
            length_within("summary", 500, name="creditfact_summary_length"),
            length_within("legal_basis", 300, name="creditfact_legal_basis_length"),
            length_within("source_ref", 120, name="creditfact_source_ref_length"),
            length_within("resolved_note", 500, name="creditfact_resolved_note_length"),
        ]
        indexes = [
            models.Index(fields=["organization", "arose_on"], name="creditfact_org_arose_idx"),
            models.Index(fields=["processed_on", "arose_on"], name="creditfact_processed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.arose_on}"

    @property
    def source_label(self) -> str:
        """Where the fact came from, in words (issue 12: not the app's code)."""
        return str(self.get_source_display())


class CreditList(models.TextChoices):
    ABNORMAL = "abnormal", _("活动异常名录")
    SERIOUS = "serious", _("严重违法失信名单")


class RuleTrigger(models.TextChoices):
    FACT = "fact", _("信用信息触发")
    ESCALATION = "escalation", _("列入活动异常名录届满转入")


class Confirmation(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认")
    UNCONFIRMED = "unconfirmed", _("未确认（征求意见稿）")


class CreditRule(models.Model):
    """One listing rule stored as data (rules 29, 31, 32); the engine applies the active ones."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    credit_list = models.CharField(_("名单"), max_length=10, choices=CreditList.choices)
    trigger = models.CharField(
        _("触发方式"), max_length=12, choices=RuleTrigger.choices, default=RuleTrigger.FACT
    )
    fact_kinds = models.JSONField(_("触发信息类型"), default=list, blank=True)
    # amount_below / amount_at_least (yuan), min_count + window_years, escalate_after_years.
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    confirmation = models.CharField(_("依据确认情况"), max_length=12, choices=Confirmation.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    # A local rule the bureau may adjust or deactivate through the rules page.
    is_local = models.BooleanField(_("地方可调整"), default=False)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("列入规则")
        verbose_name_plural = _("列入规则")
        ordering = ["credit_list", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def parameters_text(self) -> str:
        """The rule's parameters in words (罚款金额低于5.00万元；3年内不少于2次)."""
        return describe_parameters(self.parameters or {})


def describe_parameters(parameters: dict[str, Any]) -> str:
    """A listing rule's parameters as a sentence a bureau reads (never the stored dictionary)."""
    from npohub.core.templatetags.npohub import yuan

    params = dict(parameters)
    parts: list[str] = []
    if "amount_below" in params:
        parts.append(
            gettext("罚款金额低于%(amount)s") % {"amount": yuan(params.pop("amount_below"))}
        )
    if "amount_at_least" in params:
        parts.append(
            gettext("罚款金额不低于%(amount)s") % {"amount": yuan(params.pop("amount_at_least"))}
        )
    count, window = params.pop("min_count", None), params.pop("window_years", None)
    if count is not None and window is not None:
        parts.append(gettext("%(years)s年内不少于%(count)s次") % {"years": window, "count": count})
    elif count is not None:
        parts.append(gettext("不少于%(count)s次") % {"count": count})
    elif window is not None:
        parts.append(gettext("统计%(years)s年") % {"years": window})
    if "years" in params:
        parts.append(gettext("列入活动异常名录满%(years)s年") % {"years": params.pop("years")})
    for key, value in params.items():  # not settable through the service; shown, never hidden
        parts.append(gettext("其他参数%(name)s：%(value)s") % {"name": key, "value": value})
    return gettext("；").join(parts) if parts else "—"


class Listing(models.Model):
    """An organisation's period on one list (listed_on inclusive, removed_on exclusive)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="credit_listings"
    )
    credit_list = models.CharField(_("名单"), max_length=10, choices=CreditList.choices)
    rule = models.ForeignKey(
        CreditRule, verbose_name=_("列入规则"), on_delete=models.PROTECT, related_name="listings"
    )
    reason = models.CharField(_("列入事由"), max_length=500)
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    facts = models.ManyToManyField(CreditFact, verbose_name=_("证据"), related_name="listings")
    listed_on = models.DateField(_("列入日期"), db_index=True)
    clock_started_on = models.DateField(_("计时起算日"))
    # The next date the engine acts on this listing (escalation, automatic removal); None: none.
    next_action_on = models.DateField(_("下次处理日期"), null=True, blank=True, db_index=True)
    removal_due_on = models.DateField(_("应移出日期"), null=True, blank=True)
    removed_on = models.DateField(_("移出日期"), null=True, blank=True, db_index=True)
    removal_reason = models.CharField(_("移出事由"), max_length=500, blank=True, default="")
    escalated_from = models.OneToOneField(
        "self",
        verbose_name=_("由活动异常名录转入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_to",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by_label = models.CharField(_("决定人名称"), max_length=150, default="系统")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("名单记录")
        verbose_name_plural = _("名单记录")
        ordering = ["-listed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "credit_list"],
                condition=Q(removed_on__isnull=True),
                name="listing_one_open_per_list",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "listed_on"], name="listing_org_listed_idx"),
            models.Index(fields=["credit_list", "listed_on"], name="listing_list_listed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_credit_list_display()} {self.listed_on}"

    @property
    def is_open(self) -> bool:
        return self.removed_on is None


class ListingEventKind(models.TextChoices):
    LISTED = "listed", _("列入")
    CLOCK_RESTARTED = "clock_restarted", _("新增事由，重新计时")
    ESCALATED = "escalated", _("届满转入严重违法失信名单")
    REMOVAL_SCHEDULED = "removal_scheduled", _("核实整改，确定移出日期")
    REMOVED = "removed", _("移出")
    OBJECTION_UPHELD = "objection_upheld", _("异议成立")
    CORRECTED = "corrected", _("更正")


class ListingEvent(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=20, choices=ListingEventKind.choices)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True, default="")
    fact = models.ForeignKey(
        CreditFact, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150, default="系统")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("名单事件")
        verbose_name_plural = _("名单事件")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class RequestKind(models.TextChoices):
    OBJECTION = "objection", _("异议")
    REPAIR = "repair", _("信用修复")


class RequestState(models.TextChoices):
    """The states of an objection or a repair application (tables in ``workflows.py``)."""

    FILED = "filed", _("待处理")
    UPHELD = "upheld", _("异议成立")
    APPROVED = "approved", _("准予修复")
    REJECTED = "rejected", _("不予支持")
    WITHDRAWN = "withdrawn", _("已撤回")


class CreditRequest(models.Model):
    """An objection (异议) or a credit-repair application (信用修复) filed by the organisation."""

    kind = models.CharField(_("类型"), max_length=10, choices=RequestKind.choices)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="credit_requests"
    )
    listing = models.ForeignKey(
        Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    fact = models.ForeignKey(
        CreditFact, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=RequestState.choices, default=RequestState.FILED
    )
    reasons = models.TextField(_("理由"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField(_("提出日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_note = models.TextField(_("决定理由"), blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("异议与信用修复")
        verbose_name_plural = _("异议与信用修复")
        ordering = ["-filed_on", "-id"]
        indexes = [models.Index(fields=["state", "filed_on"], name="creditrequest_state_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def state_label(self) -> str:
        """The state in words."""
        try:
            return str(RequestState(self.state).label)
        except ValueError:
            return self.state


class ContactMethod(models.TextChoices):
    LETTER = "letter", _("挂号信")
    PHONE = "phone", _("电话")
    VISIT = "visit", _("实地走访")


class ContactAttempt(models.Model):
    """An attempt to reach an organisation at its registered address (rules 29/33)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="contact_attempts"
    )
    method = models.CharField(_("方式"), max_length=8, choices=ContactMethod.choices)
    sent_on = models.DateField(_("发出/联系日期"))
    signed = models.BooleanField(_("已签收/已联系上"), default=False)
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.sent_on}"


class BarredPerson(models.Model):
    """A person barred from serving as a responsible person (限制担任负责人)."""

    id_number = models.CharField(_("身份证号"), max_length=18, db_index=True)
    name = models.CharField(_("姓名"), max_length=50)
    reason = models.CharField(_("事由"), max_length=500)
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    barred_from = models.DateField(_("限制起始日"))
    barred_until = models.DateField(_("限制截止日"), null=True, blank=True)
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    lifted_note = models.CharField(_("解除说明"), max_length=500, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_ref = models.CharField(_("来源标识"), max_length=120, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("限制担任负责人人员")
        verbose_name_plural = _("限制担任负责人人员")
        ordering = ["-barred_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"], condition=~Q(source_ref=""), name="barred_source_ref_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.barred_from})"
