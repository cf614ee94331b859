"""Party building (党建): party organisations and what they cover, the party members among each
organisation's staff, work stations and industry committees at hubs, instructors and liaisons.

Hubs are linked through their registered ``orgs.Organization`` (the hubs app sits below this
one but its schema is its own); every date range is inclusive and an empty end means "open".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from npohub.core.models import TimeStampedModel
from npohub.core.params import YEAR_MAX, YEAR_MIN, decimal_within, int_within, length_within

# The most members one party organisation or one organisation's staff can count: far above
# any real committee, far below what breaks a page (SQLite stores 10^12 as readily as 12).
MEMBERS_MAX = 1_000_000
# A station's yearly funding: DecimalField(12, 2), so below 10^10 yuan.
BUDGET_MAX_DIGITS = 12
BUDGET_DECIMAL_PLACES = 2


def members_within(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    """Each member count between 0 and ``MEMBERS_MAX`` (one named constraint per field)."""
    return [int_within(f, 0, MEMBERS_MAX, name=f"{prefix}_{f}_range") for f in fields]


class Tier(models.TextChoices):
    OWN_BRANCH = "own_branch", _("独立党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    GENERAL_BRANCH = "general_branch", _("党总支")
    COMMITTEE = "committee", _("党委")


# Tiers that are a unit's *own* party organisation (rule 46: a joint branch is not).
OWN_TIERS = (Tier.OWN_BRANCH, Tier.GENERAL_BRANCH, Tier.COMMITTEE)
# For each tier, the tiers its parent may have (§9: branches under a general branch or a
# committee, general branches under a committee, committees under a higher committee).
PARENT_TIERS: dict[str, frozenset[str]] = {
    Tier.OWN_BRANCH: frozenset({Tier.GENERAL_BRANCH, Tier.COMMITTEE}),
    Tier.JOINT_BRANCH: frozenset({Tier.GENERAL_BRANCH, Tier.COMMITTEE}),
    Tier.GENERAL_BRANCH: frozenset({Tier.COMMITTEE}),
    Tier.COMMITTEE: frozenset({Tier.COMMITTEE}),
}


def active_on_q(on: object, *, start: str = "start_date", end: str = "end_date") -> Q:
    """Rows whose inclusive [start, end] range contains ``on`` (an empty end is open)."""
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": on}))


class PartyOrganization(TimeStampedModel):
    """A party organisation: own or joint branch, general branch, or committee (§9)."""

    name = models.CharField(_("名称"), max_length=200)
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # 12-digit division code where it sits: the scope every read starts from.
    region_code = models.CharField(_("所在区划代码"), max_length=12, db_index=True)
    # Own branch: the unit it is set up in; industry committee: the hub organisation.
    host_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_party_organizations",
    )
    # Set for an industry party committee (行业党委), e.g. 社会工作, 养老服务.
    industry = models.CharField(_("行业"), max_length=50, blank=True, default="")
    secretary = models.ForeignKey(
        "orgs.Person",
        verbose_name=_("书记"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_secretary_of",
    )
    established_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    approval_ref = models.CharField(_("批复文号"), max_length=100, blank=True, default="")
    # The latest member counts (denormalised from PartyMemberCount for lists).
    formal_members = models.PositiveIntegerField(_("正式党员"), default=0)
    probationary_members = models.PositiveIntegerField(_("预备党员"), default=0)
    activists = models.PositiveIntegerField(_("入党积极分子"), default=0)
    counts_as_of = models.DateField(_("人数截至"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True, default="")

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["region_code", "name", "id"]
        indexes = [models.Index(fields=["tier", "region_code"], name="partyorg_tier_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("established_on")),
                name="partyorg_dissolved_after_established",
            ),
            # Bounded values on both engines (SQLite enforces neither lengths nor int ranges).
            length_within("name", 200, name="partyorg_name_length"),
            length_within("industry", 50, name="partyorg_industry_length"),
            length_within("approval_ref", 100, name="partyorg_approval_ref_length"),
            *members_within("partyorg", "formal_members", "probationary_members", "activists"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_industry_committee(self) -> bool:
        return bool(self.industry)


class PartyMemberCount(models.Model):
    """The members of a party organisation on a date (formal, probationary, activists)."""

    party_organization = models.ForeignKey(
        PartyOrganization, on_delete=models.CASCADE, related_name="member_counts"
    )
    as_of = models.DateField(_("截至日期"))
    formal_members = models.PositiveIntegerField(_("正式党员"))
    probationary_members = models.PositiveIntegerField(_("预备党员"), default=0)
    activists = models.PositiveIntegerField(_("入党积极分子"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党员人数")
        verbose_name_plural = _("党员人数")
        ordering = ["party_organization_id", "-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_organization", "as_of"], name="partymembercount_unique_date"
            ),
            *members_within(
                "partymembercount", "formal_members", "probationary_members", "activists"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_organization_id} @ {self.as_of}: {self.formal_members}"


class PartyCoverage(models.Model):
    """A party organisation covers an organisation over a period (own unit or joint member)."""

    party_organization = models.ForeignKey(
        PartyOrganization, on_delete=models.CASCADE, related_name="coverages"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="party_coverages"
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党组织覆盖")
        verbose_name_plural = _("党组织覆盖")
        ordering = ["party_organization_id", "start_date", "id"]
        indexes = [
            models.Index(fields=["organization", "start_date"], name="partycov_org_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="partycov_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_organization_id} → {self.organization_id}"


class StaffPartyMembers(models.Model):
    """How many formal party members an organisation's staff count, as reported on a date.

    The latest report on or before a date is the input of 应建未建 detection (rule 46).
    """

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="staff_party_reports"
    )
    as_of = models.DateField(_("截至日期"))
    formal_members = models.PositiveIntegerField(_("从业人员中正式党员"))
    source = models.CharField(_("来源"), max_length=100, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("从业人员党员数")
        verbose_name_plural = _("从业人员党员数")
        ordering = ["organization_id", "-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "as_of"], name="staffpartymembers_unique_date"
            ),
            *members_within("staffpartymembers", "formal_members"),
            length_within("source", 100, name="staffpartymembers_source_length"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.as_of}: {self.formal_members}"


class WorkStation(TimeStampedModel):
    """A party-building work station (党建工作站) run by a hub organisation."""

    name = models.CharField(_("名称"), max_length=200)
    host_organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("依托枢纽组织"),
        on_delete=models.PROTECT,
        related_name="party_work_stations",
    )
    region_code = models.CharField(_("所在区划代码"), max_length=12, db_index=True)
    established_on = models.DateField(_("设立日期"))
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True, default="")

    class Meta:
        verbose_name = _("党建工作站")
        verbose_name_plural = _("党建工作站")
        ordering = ["region_code", "name", "id"]

    def __str__(self) -> str:
        return self.name


class WorkStationBudget(models.Model):
    """The funding a work station receives for one year (Jinan: 100,000 yuan a year)."""

    station = models.ForeignKey(WorkStation, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("经费（元）"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("工作站经费")
        verbose_name_plural = _("工作站经费")
        ordering = ["station_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="stationbudget_unique_year"),
            decimal_within("amount", 12, 2, name="stationbudget_amount_bounded"),
            int_within("year", YEAR_MIN, YEAR_MAX, name="stationbudget_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.year}: {self.amount}"


class WorkStationLink(models.Model):
    """An organisation or a party organisation the station contacts and guides, over a period."""

    station = models.ForeignKey(WorkStation, on_delete=models.CASCADE, related_name="links")
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_station_links",
    )
    party_organization = models.ForeignKey(
        PartyOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="station_links",
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作站联系对象")
        verbose_name_plural = _("工作站联系对象")
        ordering = ["station_id", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(party_organization__isnull=True))
                | (Q(organization__isnull=True) & Q(party_organization__isnull=False)),
                name="stationlink_one_target",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="stationlink_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} → {self.organization_id or self.party_organization_id}"


class InstructorKind(models.TextChoices):
    INSTRUCTOR = "instructor", _("党建工作指导员")
    LIAISON = "liaison", _("党建联络员")


class Instructor(TimeStampedModel):
    """A party-building instructor or liaison (a person, often a party member on staff)."""

    person = models.ForeignKey(
        "orgs.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        _("类别"), max_length=12, choices=InstructorKind.choices, default=InstructorKind.INSTRUCTOR
    )
    unit_label = models.CharField(_("所在单位"), max_length=200, blank=True, default="")
    region_code = models.CharField(_("所在区划代码"), max_length=12, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appointed_on = models.DateField(_("选派日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党建工作指导员/联络员")
        verbose_name_plural = _("党建工作指导员/联络员")
        ordering = ["region_code", "id"]

    def __str__(self) -> str:
        return str(self.person)


class InstructorAssignment(models.Model):
    """An instructor assigned to an organisation over a period."""

    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="party_instructor_assignments"
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("指导员联系单位")
        verbose_name_plural = _("指导员联系单位")
        ordering = ["instructor_id", "start_date", "id"]
        indexes = [
            models.Index(fields=["organization", "start_date"], name="partyassign_org_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="partyassign_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instructor_id} → {self.organization_id}"
