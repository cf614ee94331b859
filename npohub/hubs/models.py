"""Hub governance (以社管社): hubs, rosters, service platforms, pairing, street federations.

A hub (枢纽型社会组织) is a registered organisation the bureau recognises for a scope (a region
and/or a field). Its staff act for the bureau over the hub's current members: the services keep
``orgs.OrganizationAccess`` rows (reason ``hub_member``) in step with rosters, staff and
revocations, so every scoped selector sees exactly the members of the user's hubs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from npohub.core.models import TimeStampedModel
from npohub.core.params import TEXT_MAX, int_within, lengths_within

# Bounded values (issue 20, finding 1): SQLite stores any number and any length, so each count
# and text has a CheckConstraint (core.params) and the services refuse beyond it naming the field.
AREA_SQM_MAX = 10_000_000  # 10 km² of floor space: far above any platform
COUNT_MAX = 1_000_000  # organisations incubated, projects served
HEADCOUNT_MAX = 100_000  # visitors in one visit


class HubKind(models.TextChoices):
    PARTY = "party", _("党建类")
    PLATFORM = "platform", _("平台类")
    STREET = "street", _("街镇级")
    SPONTANEOUS = "spontaneous", _("自发类")


class HubStatus(models.TextChoices):
    RECOGNISED = "recognised", _("已认定")
    REVOKED = "revoked", _("已撤销认定")


class HubQuerySet(models.QuerySet["Hub"]):
    def current(self, on: dt.date) -> HubQuerySet:
        """Recognised and inside the validity period on ``on``."""
        return self.filter(status=HubStatus.RECOGNISED, valid_from__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )


class Hub(TimeStampedModel):
    """The bureau's recognition of a registered organisation as a hub for a scope."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("枢纽组织"),
        on_delete=models.PROTECT,
        related_name="hub_recognitions",
    )
    # Denormalised from the organisation so lists and audit labels need no join.
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("枢纽类型"), max_length=12, choices=HubKind.choices, db_index=True)
    # Scope: a region (any level) and/or a field of activity.
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("覆盖区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hubs",
    )
    # The region's significant digits (``Region.prefix``): "" when scoped by field only.
    scope_prefix = models.CharField(_("区域前缀"), max_length=12, blank=True, default="")
    category = models.ForeignKey(
        "orgs.Category",
        verbose_name=_("覆盖领域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hubs",
    )
    scope_note = models.CharField(_("范围说明"), max_length=300, blank=True, default="")
    # The recognition decision (认定决定).
    decision_number = models.CharField(_("认定文号"), max_length=100)
    decision_date = models.DateField(_("认定日期"))
    decision_text = models.TextField(_("认定决定"), blank=True, default="", max_length=TEXT_MAX)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=HubStatus.choices,
        default=HubStatus.RECOGNISED,
        db_index=True,
    )
    recognised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True, default="", max_length=TEXT_MAX)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = HubQuerySet.as_manager()

    class Meta:
        verbose_name = _("枢纽型社会组织")
        verbose_name_plural = _("枢纽型社会组织")
        ordering = ["kind", "scope_prefix", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=Q(status="recognised"),
                name="hub_one_live_recognition_per_kind",
            ),
            *lengths_within(
                "hubs_hub",
                name=200,
                kind=12,
                scope_prefix=12,
                scope_note=300,
                decision_number=100,
                decision_text=TEXT_MAX,
                status=12,
                revoked_reason=TEXT_MAX,
            ),
        ]
        indexes = [models.Index(fields=["status", "scope_prefix"], name="hub_status_prefix_idx")]

    def __str__(self) -> str:
        return self.name

    def is_current(self, on: dt.date) -> bool:
        return (
            self.status == HubStatus.RECOGNISED
            and self.valid_from <= on
            and (self.valid_until is None or self.valid_until >= on)
        )


class MemberRole(models.TextChoices):
    MEMBER = "member", _("会员单位")
    DIRECTOR = "director", _("理事单位")
    VICE_CHAIR = "vice_chair", _("副会长单位")
    CHAIR = "chair", _("会长单位")
    LINKED = "linked", _("联系指导单位")


class HubMembership(TimeStampedModel):
    """One stay of one organisation in a hub's roster. Rows are never deleted: a leave sets
    ``left_on`` (the first day no longer a member), a rejoin adds a new row."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="memberships")
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("成员组织"),
        on_delete=models.PROTECT,
        related_name="hub_memberships",
    )
    role = models.CharField(
        _("成员角色"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    leave_reason = models.CharField(_("退出原因"), max_length=300, blank=True, default="")
    agreement_signed_on = models.DateField(_("监管协议签订日期"), null=True, blank=True)
    agreement_terms = models.TextField(
        _("监管协议条款"), blank=True, default="", max_length=TEXT_MAX
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("枢纽成员")
        verbose_name_plural = _("枢纽成员")
        ordering = ["hub_id", "-joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "organization"],
                condition=Q(left_on__isnull=True),
                name="hubmembership_one_open_stay",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="hubmembership_left_after_joined",
            ),
            *lengths_within(
                "hubs_hubmembership", role=12, leave_reason=300, agreement_terms=TEXT_MAX
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "left_on"], name="hubmember_org_left_idx"),
            models.Index(fields=["hub", "left_on"], name="hubmember_hub_left_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id} ← {self.organization_id}"

    def is_current(self, on: dt.date) -> bool:
        return self.joined_on <= on and (self.left_on is None or self.left_on > on)


# --- service platforms -------------------------------------------------------------------------


class PlatformLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区（县）级")
    STREET = "street", _("街（镇）级")


# Region level (regions.Level) each platform level sits at.
PLATFORM_REGION_LEVEL = {PlatformLevel.CITY: 2, PlatformLevel.DISTRICT: 3, PlatformLevel.STREET: 4}


class PlatformOffering(models.Model):
    """What a platform offers (孵化, 公益创投, 信息服务, 培训交流 …): a configurable table."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        constraints = [
            *lengths_within("hubs_platformoffering", code=40, name=50),
            int_within("sort_order", 0, 9999, name="hubs_platformoffering_sort_order_range"),
        ]
        verbose_name = _("平台服务项目")
        verbose_name_plural = _("平台服务项目")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ServicePlatform(TimeStampedModel):
    """A social-organisation service platform (服务平台/孵化基地) run by a hub."""

    name = models.CharField(_("平台名称"), max_length=200)
    level = models.CharField(_("层级"), max_length=10, choices=PlatformLevel.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="service_platforms",
    )
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    operator = models.ForeignKey(
        Hub, verbose_name=_("运营枢纽"), on_delete=models.PROTECT, related_name="platforms"
    )
    offerings = models.ManyToManyField(
        PlatformOffering, verbose_name=_("服务内容"), blank=True, related_name="platforms"
    )
    address = models.CharField(_("地址"), max_length=300, blank=True, default="")
    area_sqm = models.PositiveIntegerField(_("面积（平方米）"), null=True, blank=True)
    opened_on = models.DateField(_("启用日期"))
    closed_on = models.DateField(_("停用日期"), null=True, blank=True)
    incubated_count = models.PositiveIntegerField(_("累计孵化出壳组织数"), default=0)
    project_count = models.PositiveIntegerField(_("累计服务项目数"), default=0)

    class Meta:
        constraints = [
            *lengths_within(
                "hubs_serviceplatform", name=200, level=10, region_code=12, address=300
            ),
            int_within("area_sqm", 0, AREA_SQM_MAX, name="hubs_serviceplatform_area_sqm_range"),
            int_within(
                "incubated_count", 0, COUNT_MAX, name="hubs_serviceplatform_incubated_count_range"
            ),
            int_within(
                "project_count", 0, COUNT_MAX, name="hubs_serviceplatform_project_count_range"
            ),
        ]
        verbose_name = _("社会组织服务平台")
        verbose_name_plural = _("社会组织服务平台")
        ordering = ["region_code", "name", "id"]
        indexes = [models.Index(fields=["level", "region_code"], name="platform_level_region_idx")]

    def __str__(self) -> str:
        return self.name


class PlatformVisit(models.Model):
    platform = models.ForeignKey(ServicePlatform, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("参观日期"))
    visitor = models.CharField(_("来访单位"), max_length=200)
    headcount = models.PositiveIntegerField(_("人数"), default=1)
    purpose = models.CharField(_("目的"), max_length=300, blank=True, default="")

    class Meta:
        constraints = [
            *lengths_within("hubs_platformvisit", visitor=200, purpose=300),
            int_within("headcount", 1, HEADCOUNT_MAX, name="hubs_platformvisit_headcount_range"),
        ]
        verbose_name = _("参观学习")
        verbose_name_plural = _("参观学习")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visitor} {self.visited_on}"


class PlatformHonour(models.Model):
    platform = models.ForeignKey(ServicePlatform, on_delete=models.CASCADE, related_name="honours")
    title = models.CharField(_("荣誉名称"), max_length=200)
    awarded_by = models.CharField(_("授予单位"), max_length=200)
    awarded_on = models.DateField(_("授予日期"))

    class Meta:
        constraints = [
            *lengths_within("hubs_platformhonour", title=200, awarded_by=200),
        ]
        verbose_name = _("平台荣誉")
        verbose_name_plural = _("平台荣誉")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return self.title


# --- pairing (结对共建) -------------------------------------------------------------------------


class Pairing(TimeStampedModel):
    """A city- or district-level organisation paired with a community group."""

    senior = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("市、区县管社会组织"),
        on_delete=models.PROTECT,
        related_name="pairings_as_senior",
    )
    community_group = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("社区社会组织"),
        on_delete=models.PROTECT,
        related_name="pairings_as_group",
    )
    topic = models.CharField(_("共建内容"), max_length=300)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    outcome = models.TextField(_("成效"), blank=True, default="", max_length=TEXT_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("结对共建")
        verbose_name_plural = _("结对共建")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["senior", "community_group"],
                condition=Q(ended_on__isnull=True),
                name="pairing_one_open_per_pair",
            ),
            *lengths_within("hubs_pairing", topic=300, outcome=TEXT_MAX),
        ]

    def __str__(self) -> str:
        return self.topic


# --- street federations (街道社区社会组织联合会) -------------------------------------------------


class Federation(TimeStampedModel):
    """The street's federation: one per street, backed by a 街镇级 hub recognition."""

    street = models.ForeignKey(
        "regions.Region",
        verbose_name=_("街道/乡镇"),
        on_delete=models.PROTECT,
        related_name="federations",
    )
    street_code = models.CharField(_("街道代码"), max_length=12, db_index=True)
    name = models.CharField(_("名称"), max_length=200)
    hub = models.OneToOneField(
        Hub, verbose_name=_("枢纽认定"), on_delete=models.PROTECT, related_name="federation"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("联合会"),
        on_delete=models.PROTECT,
        related_name="federations",
    )
    established_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    chair = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("会长"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_federations",
    )
    chair_title = models.CharField(_("会长职务"), max_length=100, blank=True, default="")
    chaired_by_street_head = models.BooleanField(_("街道（乡镇）负责人任会长"), default=False)

    class Meta:
        verbose_name = _("街道社区社会组织联合会")
        verbose_name_plural = _("街道社区社会组织联合会")
        ordering = ["street_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["street"],
                condition=Q(dissolved_on__isnull=True),
                name="federation_one_per_street",
            ),
            *lengths_within("hubs_federation", street_code=12, name=200, chair_title=100),
        ]

    def __str__(self) -> str:
        return self.name


class ExternalMemberKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位")
    OTHER = "other", _("其他单位")


class FederationExternalMember(TimeStampedModel):
    """A group member outside the registry (an enterprise or public institution)."""

    federation = models.ForeignKey(
        Federation, on_delete=models.PROTECT, related_name="external_members"
    )
    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位类型"), max_length=12, choices=ExternalMemberKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, default="")
    contact = models.CharField(_("联系人"), max_length=100, blank=True, default="")
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        constraints = [
            *lengths_within(
                "hubs_federationexternalmember", name=200, kind=12, credit_code=18, contact=100
            ),
        ]
        verbose_name = _("联合会单位会员")
        verbose_name_plural = _("联合会单位会员")
        ordering = ["federation_id", "-joined_on", "id"]

    def __str__(self) -> str:
        return self.name


class ListStatus(models.TextChoices):
    OPEN = "open", _("开放")
    MATCHED = "matched", _("已对接")
    CLOSED = "closed", _("已关闭")


class StreetListItem(TimeStampedModel):
    """One entry of a street's needs/resources/services list (三项清单)."""

    street = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    street_code = models.CharField(_("街道代码"), max_length=12, db_index=True)
    federation = models.ForeignKey(
        Federation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True, default="", max_length=TEXT_MAX)
    category = models.CharField(_("类别"), max_length=50, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=10, choices=ListStatus.choices, default=ListStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            *lengths_within(
                "%(app_label)s_%(class)s",
                street_code=12,
                title=200,
                description=TEXT_MAX,
                category=50,
                status=10,
            ),
        ]
        abstract = True
        ordering = ["street_code", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class StreetNeed(StreetListItem):
    class Meta(StreetListItem.Meta):
        verbose_name = _("需求清单")
        verbose_name_plural = _("需求清单")


class StreetResource(StreetListItem):
    class Meta(StreetListItem.Meta):
        verbose_name = _("资源清单")
        verbose_name_plural = _("资源清单")


class StreetService(StreetListItem):
    class Meta(StreetListItem.Meta):
        verbose_name = _("服务清单")
        verbose_name_plural = _("服务清单")


# The three lists by the key their URLs and the API use.
STREET_LISTS: dict[str, type[StreetNeed] | type[StreetResource] | type[StreetService]] = {
    "needs": StreetNeed,
    "resources": StreetResource,
    "services": StreetService,
}


# --- actions for the bureau --------------------------------------------------------------------


class HubNotice(TimeStampedModel):
    """A notice a hub sends to its current members (on behalf of the bureau)."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), max_length=TEXT_MAX)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            *lengths_within("hubs_hubnotice", title=200, body=TEXT_MAX),
        ]
        verbose_name = _("枢纽通知")
        verbose_name_plural = _("枢纽通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NoticeReceipt(models.Model):
    """One member organisation's copy of a notice, with its read receipt."""

    notice = models.ForeignKey(HubNotice, on_delete=models.CASCADE, related_name="receipts")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="hub_notice_receipts"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("通知回执")
        verbose_name_plural = _("通知回执")
        ordering = ["notice_id", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "organization"], name="noticereceipt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.organization_id}"


class EscalationState(models.TextChoices):
    OPEN = "open", _("待分派")
    ASSIGNED = "assigned", _("处理中")
    RESOLVED = "resolved", _("已办结")


class Escalation(TimeStampedModel):
    """A problem a hub raises with the bureau about a member: a task the bureau works."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="escalations")
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("涉及组织"),
        on_delete=models.PROTECT,
        related_name="hub_escalations",
    )
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("情况说明"), max_length=TEXT_MAX)
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=EscalationState.choices,
        default=EscalationState.OPEN,
        db_index=True,
    )
    # The bureau region that receives it (the hub's region, else the member's district).
    region_code = models.CharField(_("受理区划"), max_length=12, db_index=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hub_escalations",
    )
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True, default="", max_length=TEXT_MAX)

    class Meta:
        constraints = [
            *lengths_within(
                "hubs_escalation",
                title=200,
                description=TEXT_MAX,
                state=10,
                region_code=12,
                resolution=TEXT_MAX,
            ),
        ]
        verbose_name = _("问题上报")
        verbose_name_plural = _("问题上报")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewOpinion(models.TextChoices):
    PASS = "pass", _("初审通过")
    RETURN = "return", _("退回补正")
    CONCERN = "concern", _("提请关注")


class FirstLineReview(models.Model):
    """A hub's first-line review (初审) of something a member submitted in another app.

    ``subject`` names the thing ("registration.filing", "supervision.annual_report",
    "ratings.monthly_score"); ``subject_id`` is its primary key in that app.
    """

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="reviews")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="hub_reviews"
    )
    subject = models.CharField(_("审查事项"), max_length=64)
    subject_id = models.CharField(_("事项标识"), max_length=64)
    opinion = models.CharField(_("初审意见"), max_length=10, choices=ReviewOpinion.choices)
    comment = models.TextField(_("说明"), blank=True, default="", max_length=TEXT_MAX)
    score = models.DecimalField(_("评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("初审时间"))

    class Meta:
        constraints = [
            *lengths_within(
                "hubs_firstlinereview", subject=64, subject_id=64, opinion=10, comment=TEXT_MAX
            ),
            int_within("score", 0, Decimal("9999.99"), name="hubs_firstlinereview_score_range"),
        ]
        verbose_name = _("枢纽初审")
        verbose_name_plural = _("枢纽初审")
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["subject", "subject_id"], name="hubreview_subject_idx")]

    def __str__(self) -> str:
        return f"{self.subject}#{self.subject_id} {self.opinion}"
