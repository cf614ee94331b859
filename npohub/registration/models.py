"""Registration, joint review and filing: applications moving through workflows kept as data.

The workflows themselves (states, transitions, who may make them) are in ``workflows.py``;
the reviewing departments and which of them review which kind/category are rows here
(``Department``, ``ReviewRoute``), so adding a department or a route needs no code.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.models import StoredDocument, TimeStampedModel
from npohub.core.params import int_within, length_within

from .workflows import ApplicationState


class DepartmentKind(models.TextChoices):
    APPROVAL = "approval", _("行政审批部门")
    CIVIL_AFFAIRS = "civil_affairs", _("民政部门")
    SUPERVISORY = "supervisory", _("业务主管单位")
    INDUSTRY = "industry", _("行业管理部门")
    PARTY = "party", _("党建工作机构")


class Department(models.Model):
    """A department that gives opinions in joint review, within its region (jurisdiction)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("部门类型"), max_length=16, choices=DepartmentKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="review_departments",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人员"),
        blank=True,
        related_name="review_departments",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("联审部门")
        verbose_name_plural = _("联审部门")
        ordering = ["region__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_region_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ReviewRoute(models.Model):
    """Department ``department`` reviews applications of ``application_kind`` (and category).

    A route applies to applications whose registering authority lies inside the department's
    region. ``category`` empty = every category.
    """

    application_kind = models.CharField(_("申请事项"), max_length=24)
    category = models.ForeignKey(
        "orgs.Category",
        verbose_name=_("组织类别"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_routes",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="routes"
    )

    class Meta:
        verbose_name = _("联审路由")
        verbose_name_plural = _("联审路由")
        constraints = [
            models.UniqueConstraint(
                fields=["application_kind", "category", "department"], name="review_route_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_kind} → {self.department}"


class Application(TimeStampedModel):
    """One application (or filing) and where it stands in its workflow."""

    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    kind = models.CharField(_("申请事项"), max_length=24, db_index=True)
    state = models.CharField(
        _("状态"), max_length=24, db_index=True, choices=ApplicationState.choices
    )
    # The organisation concerned; empty for a new establishment or filing until approved.
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    org_kind = models.CharField(_("组织类型"), max_length=20)
    category = models.ForeignKey(
        "orgs.Category",
        verbose_name=_("组织类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    name = models.CharField(_("组织名称"), max_length=200, db_index=True)
    # The registering authority's region: the bureau scope that decides the application.
    authority_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("登记管理机关所在区划"),
        on_delete=models.PROTECT,
        related_name="registration_applications",
    )
    # Most precise location (community for filings): community and street scopes use it.
    address_code = models.CharField(_("住所区划代码"), max_length=12, db_index=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="registration_applications",
    )
    data = models.JSONField(_("申请内容"), default=dict, blank=True)
    supervisory_department = models.ForeignKey(
        Department,
        verbose_name=_("业务主管单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_applications",
    )
    supervisory_consent_on = models.DateField(_("业务主管单位同意日期"), null=True, blank=True)
    is_direct = models.BooleanField(_("直接登记"), default=False)
    is_charity = models.BooleanField(_("慈善组织"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # "Complete documents received": the statutory clock starts here (rule 9).
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True, db_index=True)
    deadline_days = models.PositiveSmallIntegerField(_("法定时限（日）"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("暂停天数"), default=0)
    paused_since = models.DateField(_("补正开始日期"), null=True, blank=True)
    review_round = models.PositiveSmallIntegerField(_("审查轮次"), default=0)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定意见"), blank=True, default="")
    # Warnings that do not block (e.g. a change filed more than 30 days after consent).
    flags = models.JSONField(_("提示"), default=list, blank=True)
    result = models.JSONField(_("办理结果"), default=dict, blank=True)
    last_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("登记申请")
        verbose_name_plural = _("登记申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "accepted_on"], name="application_state_clock_idx"),
            models.Index(fields=["kind", "state"], name="application_kind_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    # The statutory clock (rule 9): calendar days from acceptance, minus 补正 pauses.
    def paused_days_on(self, today: dt.date) -> int:
        running = (today - self.paused_since).days if self.paused_since else 0
        return self.paused_days + max(running, 0)

    def due_on(self, today: dt.date | None = None) -> dt.date | None:
        if self.accepted_on is None or self.deadline_days is None:
            return None
        today = today or timezone.localdate()
        return self.accepted_on + dt.timedelta(days=self.deadline_days + self.paused_days_on(today))

    def days_left(self, today: dt.date | None = None) -> int | None:
        today = today or timezone.localdate()
        due = self.due_on(today)
        return None if due is None else (due - today).days

    @property
    def clock_paused(self) -> bool:
        return self.paused_since is not None


class Opinion(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")
    MORE_MATERIAL = "more_material", _("需补正材料")


class ReviewTask(models.Model):
    """One department's opinion on one application in one review round."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="review_tasks"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="review_tasks"
    )
    round = models.PositiveSmallIntegerField(_("轮次"))
    opinion = models.CharField(
        _("意见"), max_length=16, choices=Opinion.choices, blank=True, default=""
    )
    reasons = models.TextField(_("理由"), blank=True, default="")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registration_reviews",
    )
    created_at = models.DateTimeField(_("分派时间"))
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("提出意见时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联审任务")
        verbose_name_plural = _("联审任务")
        ordering = ["application_id", "round", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "department", "round"], name="review_task_unique"
            )
        ]
        indexes = [models.Index(fields=["department", "opinion"], name="review_task_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.department} · {self.round}"

    @property
    def is_pending(self) -> bool:
        return not self.opinion


class AttachmentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("申请书")
    ARTICLES = "articles", _("章程（草案）")
    SUPERVISORY_CONSENT = "supervisory_consent", _("业务主管单位同意文件")
    CAPITAL_VERIFICATION = "capital_verification", _("验资报告/资金证明")
    PREMISES = "premises", _("住所证明")
    IDENTITY = "identity", _("负责人身份证明")
    MEMBER_LIST = "member_list", _("会员名单")
    AUDIT_REPORT = "audit_report", _("财务审计报告")
    MEETING_MINUTES = "meeting_minutes", _("会议纪要/决议")
    LIQUIDATION_REPORT = "liquidation_report", _("清算报告")
    OPINION = "opinion", _("审查意见附件")
    OTHER = "other", _("其他材料")


class Attachment(StoredDocument):
    """An uploaded document (type sniffed from content, size checked, stored under a hash)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    review_task = models.ForeignKey(
        ReviewTask,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("材料类型"), max_length=24, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="registration/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="registration_attachments",
    )

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["application_id", "uploaded_at", "id"]


class AnnouncementKind(models.TextChoices):
    ESTABLISHMENT = "establishment", _("成立登记公告")
    CHANGE = "change", _("变更登记公告")
    DEREGISTRATION = "deregistration", _("注销登记公告")
    REVOCATION = "revocation", _("撤销登记公告")
    FILING = "filing", _("备案公告")


class Announcement(models.Model):
    """A public announcement on the portal (rule 15)."""

    kind = models.CharField(_("公告类型"), max_length=16, choices=AnnouncementKind.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    published_on = models.DateField(_("发布日期"), db_index=True)
    authority_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("发布机关所在区划"),
        on_delete=models.PROTECT,
        related_name="announcements",
    )

    class Meta:
        verbose_name = _("登记公告")
        verbose_name_plural = _("登记公告")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Certificate(models.Model):
    """A registration certificate (登记证书). Reissued on change; voided on closure."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    version = models.PositiveSmallIntegerField(_("版次"), default=1)
    # Random, unguessable: the QR code links to /verify/<token>/.
    token = models.CharField(_("核验码"), max_length=32, unique=True)
    issued_on = models.DateField(_("发证日期"))
    # What the certificate says, frozen when issued (the registry may change later).
    content = models.JSONField(_("证书内容"), default=dict)
    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    voided_on = models.DateField(_("作废日期"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=100, blank=True, default="")
    # Sealed (封存) while the organisation is ordered to suspend its activities (rule 44).
    sealed_on = models.DateField(_("封存日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("登记证书")
        verbose_name_plural = _("登记证书")
        ordering = ["organization_id", "-version"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_current(self) -> bool:
        return self.voided_on is None

    @property
    def is_sealed(self) -> bool:
        return self.voided_on is None and self.sealed_on is not None


class FilingDelegation(models.Model):
    """A street office delegates filing decisions to its street federation (街道社会组织联合会)."""

    street = models.ForeignKey(
        "regions.Region",
        verbose_name=_("街道/乡镇"),
        on_delete=models.PROTECT,
        related_name="filing_delegations",
    )
    federation = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("街道社会组织联合会"),
        on_delete=models.PROTECT,
        related_name="filing_delegations",
    )
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("委托人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("备案委托")
        verbose_name_plural = _("备案委托")
        ordering = ["street__code", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.street} → {self.federation}"


class ActivityReportState(models.TextChoices):
    SUBMITTED = "submitted", _("已报告")
    ACKNOWLEDGED = "acknowledged", _("已知悉")
    QUERIED = "queried", _("待说明")
    ANSWERED = "answered", _("已说明")


# Who may move an activity report where (data, like the workflows).
ACTIVITY_REPORT_TRANSITIONS: dict[str, dict[str, tuple[str, str]]] = {
    # action: {from_state: (to_state, capacity)}
    "acknowledge": {
        ActivityReportState.SUBMITTED: (ActivityReportState.ACKNOWLEDGED, "federation"),
        ActivityReportState.ANSWERED: (ActivityReportState.ACKNOWLEDGED, "federation"),
    },
    "query": {
        ActivityReportState.SUBMITTED: (ActivityReportState.QUERIED, "federation"),
        ActivityReportState.ANSWERED: (ActivityReportState.QUERIED, "federation"),
    },
    "answer": {ActivityReportState.QUERIED: (ActivityReportState.ANSWERED, "group")},
}


# The most people one reported activity can expect: far above any street's event, far below
# what breaks a page (SQLite stored 10^12 as readily as 12).
PARTICIPANTS_MAX = 1_000_000


class ActivityReport(TimeStampedModel):
    """A filed group's report of a major activity (重大活动报告) to its street federation."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="activity_reports",
    )
    title = models.CharField(_("活动名称"), max_length=200)
    starts_on = models.DateField(_("活动日期"))
    location = models.CharField(_("活动地点"), max_length=200)
    participants = models.PositiveIntegerField(_("预计人数"))
    description = models.TextField(_("活动内容"))
    state = models.CharField(
        _("状态"),
        max_length=14,
        choices=ActivityReportState.choices,
        default=ActivityReportState.SUBMITTED,
        db_index=True,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        on_delete=models.PROTECT,
        related_name="activity_reports",
    )
    # The conversation: [{"by": label, "role": "federation"|"group", "text": …, "at": iso}].
    thread = models.JSONField(_("往来意见"), default=list, blank=True)

    class Meta:
        verbose_name = _("重大活动报告")
        verbose_name_plural = _("重大活动报告")
        ordering = ["-starts_on", "-id"]
        constraints = [
            # Bounded values on both engines (SQLite enforces neither lengths nor int ranges).
            int_within(
                "participants", 1, PARTICIPANTS_MAX, name="activityreport_participants_range"
            ),
            length_within("title", 200, name="activityreport_title_length"),
            length_within("location", 200, name="activityreport_location_length"),
        ]

    def __str__(self) -> str:
        return self.title
