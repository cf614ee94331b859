"""Random spot checks (双随机、一公开): plans, the inspector pool, checks, findings, orders.

A plan's seed stays in ``SpotCheckPlan.seed_hex`` and is shown nowhere until the plan reaches
a public state (``workflows.PUBLIC_STATES``); ``seed_hash`` (its sha256) is public from the
commit on. ``population_snapshot`` and ``pool_snapshot`` freeze what the draw ranked, so the
verification never depends on today's registry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from npohub.core.models import TimeStampedModel
from npohub.core.params import TEXT_MAX, YEAR_MAX, YEAR_MIN, int_within, lengths_within

# CheckStatus is re-exported: the check states live in workflows.py with their moves.
from .workflows import CheckStatus as CheckStatus
from .workflows import PlanState

# Bounded values (issue 20, finding 1): counts and texts within their columns on both engines;
# the services refuse beyond them naming the field.
INSPECTORS_MAX = 9  # inspectors per check (the plan form's bound)
SEQUENCE_MAX = 10_000_000  # numbers, ranks and log sequences within one plan


class AuthorityLevel(models.TextChoices):
    COUNTY = "county", _("县（区）级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("民政部")


class PlanKind(models.TextChoices):
    REGULAR = "regular", _("定期抽查")
    AD_HOC = "ad_hoc", _("不定期抽查")


class Method(models.TextChoices):
    DESK = "desk", _("书面检查")
    ON_SITE = "on_site", _("实地检查")


class SpotCheckPlan(TimeStampedModel):
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    authority_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("登记管理机关所在区划"),
        on_delete=models.PROTECT,
        related_name="spot_check_plans",
    )
    level = models.CharField(_("登记管理机关层级"), max_length=10, choices=AuthorityLevel.choices)
    kind = models.CharField(_("抽查类型"), max_length=10, choices=PlanKind.choices)
    method = models.CharField(_("检查方式"), max_length=10, choices=Method.choices)
    # Ad-hoc plans: by category (sector) and/or topic.
    category = models.ForeignKey(
        "orgs.Category",
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.CharField(_("专项主题"), max_length=200, blank=True, default="")
    # {"association": "0.05", "social_service": "0.05", "foundation": "0.10", "charity": "1"}:
    # one ratio per stratum kind; "charity" puts charities in a stratum of their own.
    ratios = models.JSONField(_("抽查比例"), default=dict)
    by_district = models.BooleanField(_("按县区分层"), default=False)
    inspectors_per_check = models.PositiveSmallIntegerField(_("每个对象检查人员数"), default=2)
    scope = models.TextField(_("检查内容"), blank=True, default="", max_length=TEXT_MAX)
    state = models.CharField(
        _("状态"),
        max_length=12,
        choices=PlanState.choices,
        default=PlanState.DRAFT,
        db_index=True,
    )
    seed_hex = models.CharField(_("随机种子"), max_length=64, blank=True, default="")
    seed_hash = models.CharField(_("种子哈希（SHA-256）"), max_length=64, blank=True, default="")
    committed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # [{"key": "association", "kind": "association", "district": "", "ratio": "0.05",
    #   "population": ["org:5137…", …], "drawn": 3}, …]
    population_snapshot = models.JSONField(_("对象名录快照"), default=list, blank=True)
    # Ordered user ids of the inspector pool entries eligible at the draw.
    pool_snapshot = models.JSONField(_("检查人员名录快照"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        constraints = [
            *lengths_within(
                "inspections_spotcheckplan",
                title=200,
                level=10,
                kind=10,
                method=10,
                topic=200,
                scope=TEXT_MAX,
                state=12,
                seed_hex=64,
                seed_hash=64,
            ),
            int_within("year", YEAR_MIN, YEAR_MAX, name="inspections_spotcheckplan_year_range"),
            int_within(
                "inspectors_per_check",
                1,
                INSPECTORS_MAX,
                name="inspections_spotcheckplan_inspectors_per_check_range",
            ),
        ]
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def seed_is_public(self) -> bool:
        from .workflows import PUBLIC_STATES

        return self.state in PUBLIC_STATES


class Inspector(TimeStampedModel):
    """An entry of the inspector pool (执法检查人员名录库) of one authority."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspector_entries"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属登记管理机关区划"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.CharField(_("所在单位/部门"), max_length=200, blank=True, default="")
    # Compared with the officers' and legal representatives' ID numbers (回避: worked at or for).
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, default="")
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("检查人员")
        verbose_name_plural = _("检查人员名录")
        ordering = ["region__code", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="inspector_user_region_unique"),
            *lengths_within("inspections_inspector", department=200, id_number=18),
        ]

    def __str__(self) -> str:
        return str(self.user)


class ConflictDeclaration(models.Model):
    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("回避事由"), max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("申报时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "organization"],
                condition=Q(withdrawn_at__isnull=True),
                name="conflict_open_unique",
            ),
            *lengths_within("inspections_conflictdeclaration", reason=300),
        ]

    def __str__(self) -> str:
        return f"{self.inspector} × {self.organization_id}"


class Conclusion(models.TextChoices):
    NO_PROBLEM = "no_problem", _("未发现问题")
    RECTIFY = "rectify", _("发现问题，责令整改")
    REFERRED = "referred", _("发现违法线索，移交处理")
    UNREACHABLE = "unreachable", _("通过登记的住所无法联系")


class SpotCheck(TimeStampedModel):
    """One drawn organisation of a plan and its inspection record."""

    plan = models.ForeignKey(SpotCheckPlan, on_delete=models.CASCADE, related_name="checks")
    number = models.PositiveIntegerField(_("序号"))
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="spot_checks"
    )
    org_key = models.CharField(_("名录键"), max_length=40)
    stratum = models.CharField(_("层"), max_length=40)
    rank = models.PositiveIntegerField(_("层内名次"))
    score = models.CharField(_("HMAC"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.DRAWN
    )
    scope_notice = models.TextField(_("检查告知内容"), blank=True, default="", max_length=TEXT_MAX)
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    scheduled_on = models.DateField(_("计划检查日期"), null=True, blank=True)
    checked_on = models.DateField(_("检查（书面审查）日期"), null=True, blank=True)
    conclusion = models.CharField(
        _("检查结论"), max_length=12, choices=Conclusion.choices, blank=True, default=""
    )
    conclusion_note = models.TextField(_("结论说明"), blank=True, default="", max_length=TEXT_MAX)
    concluded_on = models.DateField(_("结论日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查对象")
        verbose_name_plural = _("抽查对象")
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="spotcheck_plan_number_unique"),
            models.UniqueConstraint(
                fields=["plan", "organization"], name="spotcheck_plan_org_unique"
            ),
            *lengths_within(
                "inspections_spotcheck",
                org_key=40,
                stratum=40,
                score=64,
                status=10,
                scope_notice=TEXT_MAX,
                conclusion=12,
                conclusion_note=TEXT_MAX,
            ),
            int_within("number", 1, SEQUENCE_MAX, name="inspections_spotcheck_number_range"),
            int_within("rank", 1, SEQUENCE_MAX, name="inspections_spotcheck_rank_range"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.number}"


class AssignmentSource(models.TextChoices):
    DRAW = "draw", _("随机抽取")
    REDRAW = "redraw", _("回避后重新抽取")
    REPLACEMENT = "replace", _("抽取后回避撤换补抽")


class Assignment(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="assignments")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("抽取顺位"))
    source = models.CharField(_("来源"), max_length=8, choices=AssignmentSource.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    ended_reason = models.CharField(_("撤换原因"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("检查人员分派")
        verbose_name_plural = _("检查人员分派")
        ordering = ["spot_check_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "user"], name="assignment_check_user_unique"
            ),
            *lengths_within("inspections_assignment", source=8, ended_reason=300),
            int_within("position", 1, SEQUENCE_MAX, name="inspections_assignment_position_range"),
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id} ← {self.user_id}"


class LogKind(models.TextChoices):
    SEED_COMMITTED = "seed_committed", _("承诺随机种子")
    STRATUM = "stratum", _("分层抽取")
    DRAWN = "org_drawn", _("抽中检查对象")
    INSPECTOR = "inspector_drawn", _("抽中检查人员")
    EXCLUDED = "inspector_excluded", _("检查人员回避")
    REDRAW = "redraw", _("重新抽取检查人员")
    SEED_PUBLISHED = "seed_published", _("公开随机种子")
    WITHDRAWN = "inspector_withdrawn", _("抽取后回避撤换")


# Why an inspector was left out or drawn again (``DrawLog.reason``), in words.
DRAW_REASON_LABELS = {
    "declared": _("已申报回避"),
    "officer": _("曾在或正在该组织任职"),
    "legal_representative": _("是该组织的法定代表人"),
    "supervisory_unit": _("所在单位是该组织的业务主管单位"),
    "redraw": _("回避后重新抽取"),
}


class DrawLog(models.Model):
    """One step of a draw, in order: what was drawn or excluded, and why."""

    plan = models.ForeignKey(SpotCheckPlan, on_delete=models.CASCADE, related_name="log")
    spot_check = models.ForeignKey(
        SpotCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="log"
    )
    sequence = models.PositiveIntegerField(_("顺序"))
    kind = models.CharField(_("类型"), max_length=20, choices=LogKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因代码"), max_length=30, blank=True, default="")
    message = models.CharField(_("说明"), max_length=500)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽取记录")
        verbose_name_plural = _("抽取记录")
        ordering = ["plan_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="drawlog_plan_seq_unique"),
            *lengths_within("inspections_drawlog", kind=20, reason=30, message=500),
            int_within("sequence", 0, SEQUENCE_MAX, name="inspections_drawlog_sequence_range"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}.{self.sequence} {self.kind}"


class FindingType(models.TextChoices):
    ANNUAL_REPORT = "annual_report", _("年度报告")
    DISCLOSURE = "disclosure", _("信息公开")
    GOVERNANCE = "governance", _("内部治理")
    FINANCE = "finance", _("财务管理")
    ACTIVITIES = "activities", _("业务活动")
    OTHER = "other", _("其他")


class Finding(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="findings")
    type = models.CharField(_("问题类型"), max_length=16, choices=FindingType.choices)
    description = models.TextField(_("问题描述"), max_length=TEXT_MAX)
    legal_basis = models.CharField(_("依据"), max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        constraints = [
            *lengths_within("inspections_finding", type=16, description=TEXT_MAX, legal_basis=300),
        ]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        ordering = ["spot_check_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()}：{self.description[:30]}"


class RectificationOrder(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="orders")
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    requirement = models.TextField(_("整改要求"), max_length=TEXT_MAX)
    issued_on = models.DateField(_("下达日期"))
    deadline = models.DateField(_("整改期限"), db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectification_note = models.TextField(
        _("整改情况"), blank=True, default="", max_length=TEXT_MAX
    )
    verified_on = models.DateField(_("核查日期"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            *lengths_within(
                "inspections_rectificationorder", requirement=TEXT_MAX, rectification_note=TEXT_MAX
            ),
        ]
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["spot_check_id", "deadline", "id"]

    def __str__(self) -> str:
        return f"{self.spot_check_id}: {self.requirement[:30]}"

    def status_on(self, today: object) -> str:
        """verified | rectified | overdue | open."""
        if self.verified_on is not None:
            return "verified"
        if self.rectified_on is not None:
            return "rectified"
        return "overdue" if self.deadline < today else "open"  # type: ignore[operator]


RECTIFICATION_LABELS = {
    "verified": _("已核查整改到位"),
    "rectified": _("已报告整改，待核查"),
    "overdue": _("逾期未整改"),
    "open": _("整改中"),
}
