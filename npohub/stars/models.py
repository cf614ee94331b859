"""Monthly scoring (月规范), the annual star rating (年考核) and excellence awards (seed 004).

* A ``ScorecardTemplate`` holds the items of the monthly 10-point scorecard as data (工作计划,
  开展活动, 台账资料, 活动场所, 党建工作 …); a locality may have its own (``region_code``).
* A ``MonthlyScorecard`` is filled for one organisation and month by the body responsible for
  it (a hub, a street federation or an incubation base's operating hub), one ``ScoreLine``
  per item; every deduction carries a reason and evidence; the organisation may appeal a line.
* Three consecutive months below 6 open an ``InterviewTask`` (约谈) for the responsible staff;
  a rectification left unresolved raises a ``RemovalFlag`` (退出孵化基地).
* A ``StarAssessment`` per organisation and year combines the monthly average with self, peer
  and resident evaluations; party building is the first criterion.
* An ``AwardRound`` (优秀社会组织, 十佳) takes nominations, votes and gives results.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from npohub.core.models import TimeStampedModel
from npohub.core.params import TEXT_MAX, YEAR_MAX, YEAR_MIN, int_within, lengths_within

# Bounded values (issue 20, finding 1): scores on their scales (a month out of 10, the yearly
# parts and composite out of 100, as policy.py reads them), counts and texts within their columns
# on both engines; the services refuse beyond them naming the field.
MONTH_SCALE = Decimal(10)
PART_SCALE = Decimal(100)
VOTES_MAX = 10_000_000

# --- monthly scorecards ----------------------------------------------------------------------


class ScorecardTemplate(TimeStampedModel):
    """The items of the monthly scorecard for a locality (``region_code`` "" = everywhere)."""

    name = models.CharField(_("名称"), max_length=100)
    region_code = models.CharField(_("适用区划前缀"), max_length=12, blank=True, default="")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("月度评分表")
        verbose_name_plural = _("月度评分表")
        ordering = ["region_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code"],
                condition=Q(is_active=True),
                name="stars_one_active_template_per_region",
            ),
            *lengths_within("stars_scorecardtemplate", name=100, region_code=12),
        ]

    def __str__(self) -> str:
        return self.name


class ScorecardItem(models.Model):
    template = models.ForeignKey(ScorecardTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("评分项目"), max_length=100)
    max_points = models.DecimalField(_("分值"), max_digits=4, decimal_places=1)
    guidance = models.CharField(_("评分要点"), max_length=300, blank=True, default="")
    is_party_building = models.BooleanField(_("党建项目"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分项目")
        verbose_name_plural = _("评分项目")
        ordering = ["template_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="stars_item_code_unique"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="stars_item_max_positive"),
            *lengths_within("stars_scorecarditem", code=40, name=100, guidance=300),
            int_within("max_points", 0, MONTH_SCALE, name="stars_scorecarditem_max_points_range"),
            int_within("sort_order", 0, 9999, name="stars_scorecarditem_sort_order_range"),
        ]

    def __str__(self) -> str:
        return self.name


class MonthlyScorecard(TimeStampedModel):
    """One organisation's score for one month (``period`` = the first day of the month)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="monthly_scorecards",
    )
    period = models.DateField(_("月份"))
    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="+"
    )
    hub = models.ForeignKey(
        "hubs.Hub",
        verbose_name=_("评分单位"),
        on_delete=models.PROTECT,
        related_name="monthly_scorecards",
    )
    total = models.DecimalField(_("得分"), max_digits=4, decimal_places=1)
    note = models.CharField(_("备注"), max_length=300, blank=True, default="")
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("月度评分")
        verbose_name_plural = _("月度评分")
        ordering = ["-period", "organization_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period"], name="stars_one_scorecard_per_month"
            ),
            *lengths_within("stars_monthlyscorecard", note=300),
            int_within("total", 0, MONTH_SCALE, name="stars_monthlyscorecard_total_range"),
        ]
        indexes = [models.Index(fields=["hub", "period"], name="stars_card_hub_period_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.period:%Y-%m} {self.total}"


class ScoreLine(models.Model):
    """One item of a scorecard. ``original_points`` is what the scorer gave; ``points`` is
    the score in force (changed only by an appeal decided as adjusted)."""

    scorecard = models.ForeignKey(MonthlyScorecard, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ScorecardItem, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("得分"), max_digits=4, decimal_places=1)
    original_points = models.DecimalField(_("原始得分"), max_digits=4, decimal_places=1)
    reason = models.CharField(_("扣分理由"), max_length=300, blank=True, default="")
    evidence = models.CharField(_("扣分依据"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("评分明细")
        verbose_name_plural = _("评分明细")
        ordering = ["scorecard_id", "item__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "item"], name="stars_line_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="stars_line_points_positive"),
            *lengths_within("stars_scoreline", reason=300, evidence=500),
            int_within("points", 0, MONTH_SCALE, name="stars_scoreline_points_range"),
            int_within(
                "original_points", 0, MONTH_SCALE, name="stars_scoreline_original_points_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"

    @property
    def deduction(self) -> Decimal:
        return self.item.max_points - self.points


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    UPHELD = "upheld", _("维持原评分")
    ADJUSTED = "adjusted", _("已调整评分")


class ScoreAppeal(TimeStampedModel):
    """The organisation's appeal against one deduction."""

    line = models.ForeignKey(ScoreLine, on_delete=models.PROTECT, related_name="appeals")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="score_appeals"
    )
    grounds = models.TextField(_("申诉理由"), max_length=TEXT_MAX)
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=AppealState.choices,
        default=AppealState.SUBMITTED,
        db_index=True,
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True, default="", max_length=TEXT_MAX)
    adjusted_points = models.DecimalField(
        _("调整后得分"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("评分申诉")
        verbose_name_plural = _("评分申诉")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(state="submitted"), name="stars_one_open_appeal"
            ),
            *lengths_within(
                "stars_scoreappeal", grounds=TEXT_MAX, state=10, decision_note=TEXT_MAX
            ),
            int_within(
                "adjusted_points", 0, MONTH_SCALE, name="stars_scoreappeal_adjusted_points_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.state}"


# --- interviews and removal flags --------------------------------------------------------------


class InterviewReason(models.TextChoices):
    LOW_MONTHLY = "low_monthly", _("连续三个月月度评分低于6分")
    LOW_STARS = "low_stars", _("年度评定三星级及以下")


class InterviewState(models.TextChoices):
    OPEN = "open", _("待约谈")
    RECTIFYING = "rectifying", _("整改中")
    RECTIFIED = "rectified", _("整改到位")
    UNRESOLVED = "unresolved", _("整改不到位")


class InterviewTask(TimeStampedModel):
    """An interview (约谈提醒) with a rectification deadline, assigned to the responsible staff."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="interview_tasks",
    )
    hub = models.ForeignKey(
        "hubs.Hub",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interview_tasks",
    )
    reason = models.CharField(_("事由"), max_length=12, choices=InterviewReason.choices)
    detail = models.CharField(_("情况"), max_length=300)
    # The last month of the low streak, or 1 January of the star year.
    period = models.DateField(_("所属期间"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="interview_tasks",
    )
    due_on = models.DateField(_("约谈期限"))
    state = models.CharField(
        _("状态"),
        max_length=12,
        choices=InterviewState.choices,
        default=InterviewState.OPEN,
        db_index=True,
    )
    held_on = models.DateField(_("约谈日期"), null=True, blank=True)
    outcome = models.TextField(_("约谈情况"), blank=True, default="", max_length=TEXT_MAX)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    resolution_note = models.TextField(
        _("整改核查意见"), blank=True, default="", max_length=TEXT_MAX
    )
    resolved_on = models.DateField(_("核查日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("约谈任务")
        verbose_name_plural = _("约谈任务")
        ordering = ["state", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reason", "period"], name="stars_one_interview_per_cause"
            ),
            *lengths_within(
                "stars_interviewtask",
                reason=12,
                detail=300,
                state=12,
                outcome=TEXT_MAX,
                resolution_note=TEXT_MAX,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.get_reason_display()}"


class RemovalFlag(TimeStampedModel):
    """A proposal to remove the organisation from its incubation base (整改不到位)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="removal_flags",
    )
    hub = models.ForeignKey(
        "hubs.Hub", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.OneToOneField(
        InterviewTask, on_delete=models.PROTECT, related_name="removal_flag"
    )
    reason = models.TextField(_("理由"), max_length=TEXT_MAX)
    flagged_on = models.DateField(_("标记日期"))
    cleared_on = models.DateField(_("解除日期"), null=True, blank=True)

    class Meta:
        constraints = [
            *lengths_within("stars_removalflag", reason=TEXT_MAX),
        ]
        verbose_name = _("退出孵化基地标记")
        verbose_name_plural = _("退出孵化基地标记")
        ordering = ["-flagged_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.flagged_on}"


# --- annual star rating ------------------------------------------------------------------------


class StarAssessment(TimeStampedModel):
    """The annual star rating of one organisation (年考核)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="star_assessments",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    hub = models.ForeignKey(
        "hubs.Hub", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    months_scored = models.PositiveSmallIntegerField(_("评分月数"), default=0)
    monthly_average = models.DecimalField(_("月度平均分"), max_digits=4, decimal_places=2)
    self_score = models.DecimalField(_("自评"), max_digits=5, decimal_places=1)
    peer_score = models.DecimalField(_("互评"), max_digits=5, decimal_places=1)
    resident_score = models.DecimalField(_("群众评"), max_digits=5, decimal_places=1)
    party_building_passed = models.BooleanField(_("党建落实合格"))
    party_note = models.CharField(_("党建说明"), max_length=300, blank=True, default="")
    composite = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2)
    stars = models.PositiveSmallIntegerField(_("星级"))
    capped = models.BooleanField(_("党建封顶"), default=False)
    weights = models.JSONField(_("权重"), default=dict)
    is_published = models.BooleanField(_("已公布"), default=False, db_index=True)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["-year", "-composite", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="stars_one_per_year"),
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="stars_between_1_and_5"
            ),
            *lengths_within("stars_starassessment", region_code=12, party_note=300),
            int_within("year", YEAR_MIN, YEAR_MAX, name="stars_starassessment_year_range"),
            int_within("months_scored", 0, 12, name="stars_starassessment_months_scored_range"),
            int_within(
                "monthly_average", 0, MONTH_SCALE, name="stars_starassessment_monthly_average_range"
            ),
            int_within("self_score", 0, PART_SCALE, name="stars_starassessment_self_score_range"),
            int_within("peer_score", 0, PART_SCALE, name="stars_starassessment_peer_score_range"),
            int_within(
                "resident_score", 0, PART_SCALE, name="stars_starassessment_resident_score_range"
            ),
            int_within("composite", 0, PART_SCALE, name="stars_starassessment_composite_range"),
        ]
        indexes = [models.Index(fields=["year", "region_code"], name="stars_year_region_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} {self.stars}★"


# --- awards -----------------------------------------------------------------------------------


class AwardKind(models.TextChoices):
    EXCELLENT = "excellent", _("优秀社会组织")
    TOP_TEN = "top_ten", _("十佳社会组织")


class AwardState(models.TextChoices):
    NOMINATING = "nominating", _("推荐中")
    VOTING = "voting", _("投票中")
    FINISHED = "finished", _("已公布结果")


class AwardRound(TimeStampedModel):
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=10, choices=AwardKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    winners = models.PositiveSmallIntegerField(_("评选名额"))
    vote_opens = models.DateField(_("投票开始"))
    vote_closes = models.DateField(_("投票截止"))
    state = models.CharField(
        _("状态"), max_length=10, choices=AwardState.choices, default=AwardState.NOMINATING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_on = models.DateField(_("结果公布日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("评优评选")
        verbose_name_plural = _("评优评选")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_closes__gte=models.F("vote_opens")),
                name="stars_award_window_ordered",
            ),
            models.CheckConstraint(condition=Q(winners__gte=1), name="stars_award_winners_min"),
            *lengths_within("stars_awardround", title=200, kind=10, region_code=12, state=10),
            int_within("year", YEAR_MIN, YEAR_MAX, name="stars_awardround_year_range"),
            int_within("winners", 1, 1000, name="stars_awardround_winners_range"),
        ]

    def __str__(self) -> str:
        return self.title


class Nomination(TimeStampedModel):
    award_round = models.ForeignKey(
        AwardRound, on_delete=models.PROTECT, related_name="nominations"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("社会组织"),
        on_delete=models.PROTECT,
        related_name="award_nominations",
    )
    statement = models.TextField(_("推荐理由"), max_length=TEXT_MAX)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    vote_count = models.PositiveIntegerField(_("得票数"), default=0)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    is_winner = models.BooleanField(_("当选"), default=False)

    class Meta:
        verbose_name = _("推荐对象")
        verbose_name_plural = _("推荐对象")
        ordering = ["award_round_id", "rank", "-vote_count", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["award_round", "organization"], name="stars_one_nomination_per_round"
            ),
            *lengths_within("stars_nomination", statement=TEXT_MAX),
            int_within("vote_count", 0, VOTES_MAX, name="stars_nomination_vote_count_range"),
            int_within("rank", 1, 32767, name="stars_nomination_rank_range"),
        ]

    def __str__(self) -> str:
        return f"{self.award_round_id} ← {self.organization_id}"


class Vote(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField(_("投票时间"))

    class Meta:
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        ordering = ["nomination_id", "cast_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "voter"], name="stars_one_vote_per_voter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.nomination_id}"
