"""Complaints (投诉举报), penalty cases (行政处罚) and the dormant-organisation clean-up.

The workflows (states, transitions, who may make them) and the penalty types with their legal
basis are data in ``workflows.py``; the limits and time limits are in ``policy.py``. The history
of complaints and cases is the one history of every workflow (``core.WorkflowEvent``).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from npohub.core.models import TimeStampedModel
from npohub.core.params import TEXT_MAX, int_within, lengths_within

from .workflows import CaseState, ComplaintState

# Bounded values (issue 20, finding 1): amounts as their DecimalField(14, 2) columns hold them,
# never negative (SQLite would store 1e30 and every page showing the case would fail).
AMOUNT_MAX = Decimal("999999999999.99")


class ComplaintCategory(models.TextChoices):
    ILLEGAL_FUNDRAISING = "illegal_fundraising", _("违规募捐/集资")
    FEES = "fees", _("违规收费、摊派")
    OUTSIDE_SCOPE = "outside_scope", _("超出宗旨和业务范围活动")
    PROFIT = "profit", _("从事营利性经营活动")
    FINANCE = "finance", _("侵占、私分、挪用财产")
    UNREGISTERED = "unregistered", _("未经登记擅自活动（非法社会组织）")
    DORMANT = "dormant", _("长期不开展活动（“僵尸型”）")
    GOVERNANCE = "governance", _("内部治理混乱、换届问题")
    OTHER = "other", _("其他")


class Complaint(TimeStampedModel):
    """A complaint or report from the public, from intake to the reply and closing."""

    number = models.CharField(_("受理编号"), max_length=24, unique=True)
    state = models.CharField(
        _("状态"), max_length=16, db_index=True, choices=ComplaintState.choices
    )
    complainant_name = models.CharField(_("投诉人姓名"), max_length=50, blank=True, default="")
    contact = models.CharField(_("联系方式"), max_length=100)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("被投诉组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    organization_text = models.CharField(
        _("被投诉组织（名称）"), max_length=200, blank=True, default=""
    )
    category = models.CharField(_("类别"), max_length=24, choices=ComplaintCategory.choices)
    description = models.TextField(_("投诉举报内容"), max_length=TEXT_MAX)
    # Where the complaint belongs (the organisation's address, else the place chosen): scopes use it.
    region_code = models.CharField(_("所属区划代码"), max_length=12, db_index=True)
    channel = models.CharField(_("来源"), max_length=12, default="portal")
    received_on = models.DateField(_("收到日期"), db_index=True)
    reply_due_on = models.DateField(_("答复期限"), db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
    )
    decision_note = models.TextField(
        _("不予受理/转办理由"), blank=True, default="", max_length=TEXT_MAX
    )
    transferred_to = models.CharField(_("转办单位"), max_length=200, blank=True, default="")
    reply = models.TextField(_("答复内容"), blank=True, default="", max_length=TEXT_MAX)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    penalty_case = models.ForeignKey(
        "enforcement.PenaltyCase",
        verbose_name=_("关联处罚案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )

    class Meta:
        constraints = [
            *lengths_within(
                "enforcement_complaint",
                number=24,
                state=16,
                complainant_name=50,
                contact=100,
                organization_text=200,
                category=24,
                description=TEXT_MAX,
                region_code=12,
                channel=12,
                decision_note=TEXT_MAX,
                transferred_to=200,
                reply=TEXT_MAX,
            ),
        ]
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["state", "reply_due_on"], name="complaint_state_due_idx")]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, today: dt.date) -> bool:
        from .workflows import COMPLAINT_WAITING

        return self.state in COMPLAINT_WAITING and today > self.reply_due_on

    @property
    def organization_label(self) -> str:
        return self.organization.name if self.organization is not None else self.organization_text


class ComplaintNote(models.Model):
    """An investigation note on a complaint (internal; never shown to the complainant)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("核查记录"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        constraints = [
            *lengths_within("enforcement_complaintnote", text=TEXT_MAX),
        ]
        verbose_name = _("核查记录")
        verbose_name_plural = _("核查记录")
        ordering = ["complaint_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.text[:20]}"


class PenaltyCase(TimeStampedModel):
    """An administrative penalty case against one organisation (立案 → … → 结案)."""

    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    state = models.CharField(_("状态"), max_length=16, db_index=True, choices=CaseState.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("当事组织"),
        on_delete=models.PROTECT,
        related_name="penalty_cases",
    )
    title = models.CharField(_("案由"), max_length=200)
    facts = models.TextField(_("违法事实"), blank=True, default="", max_length=TEXT_MAX)
    # Which provision governs (association / social_service / foundation / charity).
    basis_key = models.CharField(_("适用法规"), max_length=16)
    # Where the case came from: staff, a complaint, the missing-report detector, a campaign.
    source = models.CharField(_("案件来源"), max_length=16, default="staff")
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("立案人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    statement_due_on = models.DateField(_("陈述申辩期限"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True, db_index=True)
    decision_number = models.CharField(_("决定书文号"), max_length=60, blank=True, default="")
    service_due_on = models.DateField(_("送达期限"), null=True, blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    payment_due_on = models.DateField(_("缴款期限"), null=True, blank=True)
    paid_on = models.DateField(_("缴款日期"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("实缴金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    decision_note = models.TextField(
        _("决定/结案说明"), blank=True, default="", max_length=TEXT_MAX
    )
    suspension_lifted_on = models.DateField(_("恢复活动日期"), null=True, blank=True)

    class Meta:
        constraints = [
            *lengths_within(
                "enforcement_penaltycase",
                number=20,
                state=16,
                title=200,
                facts=TEXT_MAX,
                basis_key=16,
                source=16,
                source_ref=64,
                decision_number=60,
                decision_note=TEXT_MAX,
            ),
            int_within(
                "paid_amount", 0, AMOUNT_MAX, name="enforcement_penaltycase_paid_amount_range"
            ),
        ]
        verbose_name = _("行政处罚案件")
        verbose_name_plural = _("行政处罚案件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "state"], name="penaltycase_org_state_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def fine_total(self) -> Decimal:
        """Fines on the organisation and its responsible persons (yuan)."""
        return sum(
            (
                s.amount or Decimal("0")
                for s in self.sanctions.all()
                if s.kind in ("fine", "person_fine")
            ),
            Decimal("0"),
        )

    def late_fee(self, on: dt.date, *, rate: Decimal, fine: Decimal | None = None) -> Decimal:
        """Late-payment fee (CF68): ``rate`` of the fine per day after the due date, capped at
        the fine. Counts up to the payment date once paid."""
        fine = self.fine_total() if fine is None else fine
        if not fine or self.payment_due_on is None:
            return Decimal("0")
        until = self.paid_on or on
        days = max((until - self.payment_due_on).days, 0)
        fee = (fine * rate * days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return min(fee, fine)


class Sanction(models.Model):
    """One penalty of a case: proposed while the case is prepared, in force once decided."""

    case = models.ForeignKey(PenaltyCase, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(_("处罚种类"), max_length=24)
    legal_basis = models.CharField(_("法律依据"), max_length=200)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # A fine on 社团/民非 is measured against illegal turnover or gains (rule 44).
    fine_basis = models.CharField(_("罚款计算基数"), max_length=12, blank=True, default="")
    basis_amount = models.DecimalField(
        _("违法经营额/违法所得（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    suspend_until = models.DateField(_("停止活动至"), null=True, blank=True)
    person_name = models.CharField(_("人员姓名"), max_length=50, blank=True, default="")
    person_id_number = models.CharField(_("身份证号"), max_length=18, blank=True, default="")
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            *lengths_within(
                "enforcement_sanction",
                kind=24,
                legal_basis=200,
                fine_basis=12,
                person_name=50,
                person_id_number=18,
                note=200,
            ),
            int_within("amount", 0, AMOUNT_MAX, name="enforcement_sanction_amount_range"),
            int_within(
                "basis_amount", 0, AMOUNT_MAX, name="enforcement_sanction_basis_amount_range"
            ),
        ]
        verbose_name = _("处罚内容")
        verbose_name_plural = _("处罚内容")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class DormantCampaign(TimeStampedModel):
    """A clean-up campaign against dormant (僵尸型) organisations in a region (rule 45)."""

    name = models.CharField(_("行动名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("范围"),
        on_delete=models.PROTECT,
        related_name="dormant_campaigns",
    )
    started_on = models.DateField(_("开始日期"))
    # The campaign's parameters (rule 45: the years and the date move from campaign to campaign).
    report_years = models.JSONField(_("检查的年报年度"), default=list)
    no_activity_since = models.DateField(_("未开展活动起算日期"))
    first_activity_days = models.PositiveSmallIntegerField(_("登记后须开展活动的天数"), default=365)
    is_closed = models.BooleanField(_("已结束"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_scanned_on = models.DateField(_("最近排查日期"), null=True, blank=True)

    class Meta:
        constraints = [
            *lengths_within("enforcement_dormantcampaign", name=200),
            int_within(
                "first_activity_days",
                1,
                3650,
                name="enforcement_dormantcampaign_first_activity_days_range",
            ),
        ]
        verbose_name = _("僵尸型社会组织清理行动")
        verbose_name_plural = _("僵尸型社会组织清理行动")
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return self.name


class DormantCandidate(TimeStampedModel):
    """An organisation found by a campaign, the criteria it meets and what became of it."""

    campaign = models.ForeignKey(
        DormantCampaign, on_delete=models.CASCADE, related_name="candidates"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="dormant_candidacies"
    )
    criteria = models.JSONField(_("符合的情形"), default=list)
    details = models.JSONField(_("依据"), default=dict, blank=True)
    outcome = models.CharField(_("处置结果"), max_length=16, default="pending", db_index=True)
    outcome_note = models.TextField(_("处置说明"), blank=True, default="", max_length=TEXT_MAX)
    outcome_on = models.DateField(_("处置日期"), null=True, blank=True)
    penalty_case = models.ForeignKey(
        PenaltyCase,
        verbose_name=_("撤销登记案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deregistration = models.ForeignKey(
        "registration.Application",
        verbose_name=_("注销登记申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("清理对象")
        verbose_name_plural = _("清理对象")
        ordering = ["campaign_id", "organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization"], name="dormant_candidate_unique"
            ),
            *lengths_within("enforcement_dormantcandidate", outcome=16, outcome_note=TEXT_MAX),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.organization_id}"


class ActivityEvidence(models.Model):
    """Evidence that an organisation carried out an activity (rule 45 criteria 2 and 3),
    recorded by staff while verifying candidates; the registration app's activity reports count
    too."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="activity_evidence"
    )
    occurred_on = models.DateField(_("活动日期"), db_index=True)
    description = models.CharField(_("活动情况"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        constraints = [
            *lengths_within("enforcement_activityevidence", description=300),
        ]
        verbose_name = _("活动佐证")
        verbose_name_plural = _("活动佐证")
        ordering = ["organization_id", "-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.occurred_on}"
