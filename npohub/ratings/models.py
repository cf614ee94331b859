"""Grade assessment (等级评估): rounds with their own indicator trees, applications, the expert
pool with conflicts, panels and per-indicator scores, objections, and the grades awarded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from npohub.core.models import TimeStampedModel
from npohub.core.params import TEXT_MAX, YEAR_MAX, YEAR_MIN, int_within, lengths_within

# The states live with their tables (``workflows``); re-exported for the callers of models.
from .workflows import RS as RS
from .workflows import GradeState as GradeState
from .workflows import ObjectionState as ObjectionState

# Bounded values (issue 20, finding 1): points and totals within 0-POINTS_MAX whatever the local
# scale (policy.py: 1000 by default, some places add a bonus; an indicator is at most 1000), vote
# counts within a committee's size, texts within their columns, on both engines.
POINTS_MAX = 9999
VOTES_MAX = 1000


class Level(models.TextChoices):
    A5 = "5A", _("5A级")
    A4 = "4A", _("4A级")
    A3 = "3A", _("3A级")
    A2 = "2A", _("2A级")
    A1 = "1A", _("1A级")


class Round(TimeStampedModel):
    """One assessment round run by the bureau of a region (a city or a district)."""

    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("组织评估的登记管理机关"), on_delete=models.PROTECT
    )
    kinds = models.JSONField(_("参评组织类型"), default=list)
    state = models.CharField(_("状态"), max_length=16, choices=RS.choices, default=RS.OPEN)
    # Copied from the policy of the region when the round is created (rule 41).
    thresholds = models.JSONField(_("等级分数线"), default=dict)
    validity_years = models.PositiveSmallIntegerField(_("有效期（年）"), default=5)
    applications_until = models.DateField(_("申报截止日期"), null=True, blank=True)
    comment_from = models.DateField(_("公示开始"), null=True, blank=True)
    comment_until = models.DateField(_("公示截止"), null=True, blank=True)
    finalised_on = models.DateField(_("公告日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            *lengths_within("ratings_round", name=200, state=16),
            int_within("year", YEAR_MIN, YEAR_MAX, name="ratings_round_year_range"),
            int_within("validity_years", 1, 20, name="ratings_round_validity_years_range"),
        ]
        verbose_name = _("评估轮次")
        verbose_name_plural = _("评估轮次")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One node of a round's indicator tree for one organisation kind; experts score leaves."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("组织类型"), max_length=20)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("指标"), max_length=200)
    max_points = models.PositiveSmallIntegerField(_("分值"))
    guidance = models.TextField(_("评分说明"), blank=True, default="", max_length=TEXT_MAX)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评估指标")
        verbose_name_plural = _("评估指标")
        ordering = ["round_id", "kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "kind", "code"], name="ratings_indicator_code_unique"
            ),
            *lengths_within("ratings_indicator", kind=20, code=20, name=200, guidance=TEXT_MAX),
            int_within("max_points", 0, POINTS_MAX, name="ratings_indicator_max_points_range"),
            int_within("order", 0, 9999, name="ratings_indicator_order_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("已申报")
    ELIGIBLE = "eligible", _("符合参评条件")
    INELIGIBLE = "ineligible", _("不符合参评条件")
    FINALISED = "finalised", _("委员会已审定")
    AWARDED = "awarded", _("已授予等级")
    NOT_AWARDED = "not_awarded", _("未达等级")


class Application(TimeStampedModel):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="applications")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="rating_applications"
    )
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ApplicationState.choices,
        default=ApplicationState.SUBMITTED,
    )
    applied_on = models.DateField(_("申报日期"))
    note = models.TextField(_("申报说明"), blank=True, default="", max_length=TEXT_MAX)
    # [{code, message, source, ref}] from credit.eligibility.is_eligible, kept as checked.
    eligibility_reasons = models.JSONField(_("不符合条件的原因"), default=list, blank=True)
    eligibility_checked_on = models.DateField(_("资格审查日期"), null=True, blank=True)
    # The committee's figures (mean of the counted expert totals, the level it earns).
    panel_total = models.DecimalField(
        _("专家平均分"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    final_total = models.DecimalField(
        _("审定得分"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    level = models.CharField(_("审定等级"), max_length=2, choices=Level.choices, blank=True)
    committee_note = models.TextField(_("委员会意见"), blank=True, default="", max_length=TEXT_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("评估申报")
        verbose_name_plural = _("评估申报")
        ordering = ["round_id", "organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="ratings_application_unique"
            ),
            *lengths_within(
                "ratings_application", state=16, note=TEXT_MAX, level=2, committee_note=TEXT_MAX
            ),
            int_within("panel_total", 0, POINTS_MAX, name="ratings_application_panel_total_range"),
            int_within("final_total", 0, POINTS_MAX, name="ratings_application_final_total_range"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.organization}"


class Expert(TimeStampedModel):
    """An entry of the expert pool (评估专家库): a user with the expert role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rating_expert"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属专家库"), on_delete=models.PROTECT, related_name="+"
    )
    # Compared with officers' ID numbers: worked at an organisation (PG39 art. 19).
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, default="")
    field = models.CharField(_("专业领域"), max_length=100, blank=True, default="")
    employer = models.CharField(_("工作单位"), max_length=200, blank=True, default="")
    is_active = models.BooleanField(_("在库"), default=True)

    class Meta:
        constraints = [
            *lengths_within("ratings_expert", id_number=18, field=100, employer=200),
        ]
        verbose_name = _("评估专家")
        verbose_name_plural = _("评估专家库")
        ordering = ["region__code", "id"]

    def __str__(self) -> str:
        return str(self.user)


class Affiliation(models.Model):
    """An organisation the expert worked for; leaving < 2 years ago is a conflict."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    position = models.CharField(_("职务"), max_length=100, blank=True, default="")
    left_on = models.DateField(_("离开日期"), null=True, blank=True)

    class Meta:
        constraints = [
            *lengths_within("ratings_affiliation", position=100),
        ]
        verbose_name = _("专家任职经历")
        verbose_name_plural = _("专家任职经历")
        ordering = ["-left_on", "id"]

    def __str__(self) -> str:
        return f"{self.expert} @ {self.organization_id}"


class ConflictDeclaration(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("回避事由"), max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("申报时间"))

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "organization"], name="ratings_conflict_unique"
            ),
            *lengths_within("ratings_conflictdeclaration", reason=300),
        ]

    def __str__(self) -> str:
        return f"{self.expert} × {self.organization_id}"


class Assignment(models.Model):
    """One expert on the panel of one application, with the state of their scoring."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("指派时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=1, default=0)
    is_outlier = models.BooleanField(_("偏离"), default=False)
    outlier_note = models.CharField(_("偏离说明"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("评分任务")
        verbose_name_plural = _("评分任务")
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert"], name="ratings_assignment_unique"
            ),
            *lengths_within("ratings_assignment", outlier_note=300),
            int_within("total", 0, POINTS_MAX, name="ratings_assignment_total_range"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application}"


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    comment = models.CharField(_("评分意见"), max_length=500, blank=True, default="")
    # Evidence: an uploaded document, or a reference to a platform record
    # ("supervision.annualreport:12", or a path such as "/orgs/5/").
    evidence_file = models.FileField(
        _("佐证材料"), upload_to="ratings/evidence/%Y/", max_length=300, blank=True
    )
    evidence_ref = models.CharField(_("平台记录"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "indicator"], name="ratings_score_unique"
            ),
            *lengths_within("ratings_score", comment=500, evidence_ref=200),
            int_within("points", 0, POINTS_MAX, name="ratings_score_points_range"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.points}"


class Objection(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField(_("提出日期"))
    reasons = models.TextField(_("异议理由"), max_length=TEXT_MAX)
    state = models.CharField(
        _("状态"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.FILED
    )
    due_on = models.DateField(_("复核期限"))
    decision = models.TextField(_("书面复核决定"), blank=True, default="", max_length=TEXT_MAX)
    votes_for = models.PositiveSmallIntegerField(_("赞成票"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("反对票"), default=0)
    new_level = models.CharField(_("复核后等级"), max_length=2, choices=Level.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)

    class Meta:
        constraints = [
            *lengths_within(
                "ratings_objection", reasons=TEXT_MAX, state=10, decision=TEXT_MAX, new_level=2
            ),
            int_within("votes_for", 0, VOTES_MAX, name="ratings_objection_votes_for_range"),
            int_within("votes_against", 0, VOTES_MAX, name="ratings_objection_votes_against_range"),
        ]
        verbose_name = _("评估结果异议")
        verbose_name_plural = _("评估结果异议")
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.application} #{self.pk}"


class Grade(TimeStampedModel):
    """A grade held by an organisation: 5 years from the award (rule 42)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="grades"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="grades"
    )
    level = models.CharField(_("等级"), max_length=2, choices=Level.choices)
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, null=True, blank=True)
    awarded_on = models.DateField(_("授予日期"))
    valid_until = models.DateField(_("有效期至"))
    state = models.CharField(
        _("状态"), max_length=10, choices=GradeState.choices, default=GradeState.VALID
    )
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    certificate_number = models.CharField(_("证书编号"), max_length=40, blank=True, default="")
    certificate_issued_on = models.DateField(_("证书颁发日期"), null=True, blank=True)
    plaque_issued_on = models.DateField(_("牌匾颁发日期"), null=True, blank=True)
    # Rule 43: a downgraded (or cancelled) grade's certificate and plaque go back by this date.
    return_due_on = models.DateField(_("证书牌匾交回期限"), null=True, blank=True)
    certificate_returned_on = models.DateField(_("证书交回日期"), null=True, blank=True)
    plaque_returned_on = models.DateField(_("牌匾交回日期"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("降级前等级"),
    )
    # Why it ended or was given (downgrade trigger code and record), kept for idempotency.
    trigger_code = models.CharField(_("触发事由代码"), max_length=64, blank=True, default="")
    trigger_ref = models.CharField(_("触发记录"), max_length=100, blank=True, default="")
    reason = models.CharField(_("说明"), max_length=300, blank=True, default="")
    last_reminder_days = models.PositiveSmallIntegerField(_("最近提醒"), null=True, blank=True)

    class Meta:
        verbose_name = _("评估等级")
        verbose_name_plural = _("评估等级")
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(state="valid"),
                name="ratings_one_valid_grade",
            ),
            *lengths_within(
                "ratings_grade",
                level=2,
                state=10,
                certificate_number=40,
                trigger_code=64,
                trigger_ref=100,
                reason=300,
            ),
            int_within("total", 0, POINTS_MAX, name="ratings_grade_total_range"),
            int_within(
                "last_reminder_days", 0, 3650, name="ratings_grade_last_reminder_days_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.level}"
