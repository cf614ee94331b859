"""Annual reports (年度工作报告) and their review: one report per organisation and year.

The content is data (``data[section][field]``, sections per kind in ``sections.py``); the
workflow is data (``workflows.py``); calendar and thresholds are policy (``policy.py``).
No fee is recorded anywhere: the inspection is free (rule 23).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from npohub.core.models import StoredDocument, TimeStampedModel
from npohub.core.params import (
    DB_INT32_MAX,
    TEXT_MAX,
    YEAR_MAX,
    YEAR_MIN,
    int_within,
    lengths_within,
)


class ReportState(models.TextChoices):
    """The states of an annual report (the workflow table is in ``workflows.py``)."""

    DRAFT = "draft", _("填报中")
    SUPERVISOR_REVIEW = "supervisor_review", _("待业务主管单位初审")
    SUBMITTED = "submitted", _("待登记管理机关审查")
    RETURNED = "returned", _("已退回修改")
    CONCLUDED = "concluded", _("已作出结论")
    PUBLISHED = "published", _("结论已公告")


S = ReportState
# The organisation holds the report (may edit sections and attachments) in these states.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
# The report has reached the registering authority in these states.
AT_BUREAU_STATES = frozenset({S.SUBMITTED, S.CONCLUDED, S.PUBLISHED})


class Conclusion(models.TextChoices):
    PASS = "pass", _("合格")
    BASIC_PASS = "basic_pass", _("基本合格")
    FAIL = "fail", _("不合格")


# Conclusions that must state their reasons (rule 23 with the MCA 2014 notice).
CONCLUSIONS_NEEDING_REASONS = frozenset({Conclusion.BASIC_PASS, Conclusion.FAIL})


class AnnualReport(TimeStampedModel):
    """One organisation's annual work report for one year, and its inspection conclusion."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="annual_reports",
    )
    year = models.PositiveSmallIntegerField(_("报告年度"), db_index=True)
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=ReportState.choices,
        default=S.DRAFT,
        db_index=True,
    )
    # Snapshot at creation (the organisation may change later): kind, route, charity.
    org_kind = models.CharField(_("组织类型"), max_length=20)
    is_dual_managed = models.BooleanField(_("双重管理"), default=True)
    is_charity = models.BooleanField(_("慈善组织"), default=False)
    needs_rectification = models.BooleanField(_("需附整改报告"), default=False)
    rectification_basis = models.CharField(_("整改依据"), max_length=200, blank=True, default="")
    # Denormalised for scoping and the per-region dashboard.
    address_code = models.CharField(_("住所区划代码"), max_length=12, db_index=True)
    authority_code = models.CharField(
        _("登记管理机关区划代码"), max_length=12, blank=True, default=""
    )
    data = models.JSONField(_("报告内容"), default=dict, blank=True)
    # {"basic.org_name": "registry", …}: fields the platform pre-filled ("fill once"), and which
    # of them the organisation has confirmed or corrected since.
    prefilled = models.JSONField(_("预填字段"), default=dict, blank=True)
    confirmed = models.JSONField(_("已确认的预填字段"), default=list, blank=True)
    supervisor_deadline = models.DateField(_("报业务主管单位截止日期"), null=True, blank=True)
    bureau_deadline = models.DateField(_("报登记管理机关截止日期"))
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    supervisor_reviewed_on = models.DateField(_("初审日期"), null=True, blank=True)
    supervisor_opinion = models.TextField(
        _("初审意见"), blank=True, default="", max_length=TEXT_MAX
    )
    # The date the report reached the registering authority: the date rule 24 judges.
    bureau_received_on = models.DateField(_("报送登记管理机关日期"), null=True, blank=True)
    conclusion = models.CharField(
        _("年检结论"), max_length=12, choices=Conclusion.choices, blank=True, default=""
    )
    conclusion_reasons = models.TextField(
        _("结论理由"), blank=True, default="", max_length=TEXT_MAX
    )
    concluded_on = models.DateField(_("结论日期"), null=True, blank=True)
    published_on = models.DateField(_("公告日期"), null=True, blank=True)
    last_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("年度工作报告")
        verbose_name_plural = _("年度工作报告")
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="annualreport_org_year"),
            models.CheckConstraint(
                condition=models.Q(conclusion="") | models.Q(state__in=[S.CONCLUDED, S.PUBLISHED]),
                name="annualreport_conclusion_only_when_concluded",
            ),
            *lengths_within(
                "supervision_annualreport",
                state=20,
                org_kind=20,
                rectification_basis=200,
                address_code=12,
                authority_code=12,
                supervisor_opinion=TEXT_MAX,
                conclusion=12,
                conclusion_reasons=TEXT_MAX,
            ),
            int_within("year", YEAR_MIN, YEAR_MAX, name="supervision_annualreport_year_range"),
        ]
        indexes = [
            models.Index(fields=["year", "state"], name="annualreport_year_state_idx"),
            models.Index(fields=["year", "address_code"], name="annualreport_year_addr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度 · {self.organization_id}"

    @property
    def route(self) -> str:
        return "dual" if self.is_dual_managed else "direct"

    @property
    def state_label(self) -> str:
        try:
            return str(ReportState(self.state).label)
        except ValueError:
            return self.state


class AttachmentKind(models.TextChoices):
    FINANCIAL_STATEMENTS = "financial_statements", _("财务会计报告")
    ACCOUNTS_NOTE = "accounts_note", _("财务报表附注/情况说明")
    AUDIT_REPORT = "audit_report", _("审计报告")
    RECTIFICATION = "rectification", _("整改证明材料")
    OTHER = "other", _("其他材料")


class ReportAttachment(StoredDocument):
    """A document filed with an annual report (type sniffed from content, stored under a hash);
    the organisation adds and removes them while it holds the report (draft or returned)."""

    report = models.ForeignKey(
        AnnualReport,
        verbose_name=_("年度报告"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("材料类型"), max_length=24, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="supervision/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints = [
            *lengths_within(
                "supervision_reportattachment",
                original_name=200,
                content_type=100,
                sha256=64,
                kind=24,
            ),
            int_within("size", 0, DB_INT32_MAX, name="supervision_reportattachment_size_range"),
        ]
        verbose_name = _("年度报告附件")
        verbose_name_plural = _("年度报告附件")
        ordering = ["report_id", "uploaded_at", "id"]
