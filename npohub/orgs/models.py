"""The organisation registry: registered organisations, filed community groups, people, history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from npohub.core.models import TimeStampedModel
from npohub.core.params import decimal_within, length_within


class Kind(models.TextChoices):
    ASSOCIATION = "association", _("社会团体")
    SOCIAL_SERVICE = "social_service", _("社会服务机构（民办非企业单位）")
    FOUNDATION = "foundation", _("基金会")
    COMMUNITY_GROUP = "community_group", _("备案社区社会组织")


REGISTERED_KINDS = (Kind.ASSOCIATION, Kind.SOCIAL_SERVICE, Kind.FOUNDATION)
# USCC position 2 for each registered kind (domain-rules rule 2).
USCC_CATEGORY_DIGIT = {Kind.ASSOCIATION: "1", Kind.SOCIAL_SERVICE: "2", Kind.FOUNDATION: "3"}


class Status(models.TextChoices):
    ACTIVE = "active", _("正常")
    ABNORMAL = "abnormal", _("活动异常")
    SUSPENDED = "suspended", _("限期停止活动")
    DEREGISTERED = "deregistered", _("已注销")
    REVOKED = "revoked", _("已撤销")


# The status lifecycle as data: from each status, the statuses a status change may reach.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.ACTIVE: frozenset(
        {Status.ABNORMAL, Status.SUSPENDED, Status.DEREGISTERED, Status.REVOKED}
    ),
    Status.ABNORMAL: frozenset(
        {Status.ACTIVE, Status.SUSPENDED, Status.DEREGISTERED, Status.REVOKED}
    ),
    Status.SUSPENDED: frozenset(
        {Status.ACTIVE, Status.ABNORMAL, Status.DEREGISTERED, Status.REVOKED}
    ),
    Status.DEREGISTERED: frozenset(),
    Status.REVOKED: frozenset(),
}
CLOSED_STATUSES = (Status.DEREGISTERED, Status.REVOKED)


class ManagementLevel(models.TextChoices):
    NATIONAL = "national", _("全国性")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县（区）级")
    STREET = "street", _("街道（乡镇）级")


class FoundationType(models.TextChoices):
    PUBLIC = "public", _("公募")
    NON_PUBLIC = "non_public", _("非公募")


class CertificateForm(models.TextChoices):
    LEGAL_PERSON = "legal_person", _("法人")
    PARTNERSHIP = "partnership", _("合伙")
    INDIVIDUAL = "individual", _("个体")


class Category(models.Model):
    """Field of activity (公益慈善/生活服务/社区事务/文体活动 …); a configurable table."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    # One of the four direct-registration categories (rule 10); configurable per province.
    is_direct_registration = models.BooleanField(_("可直接登记"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织类别")
        verbose_name_plural = _("组织类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    """A natural person who holds an office in one or more organisations."""

    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(
        _("身份证号"), max_length=18, blank=True, default="", db_index=True
    )
    phone = models.CharField(_("手机"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="person_id_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def registered(self) -> OrganizationQuerySet:
        return self.exclude(kind=Kind.COMMUNITY_GROUP)

    def filed(self) -> OrganizationQuerySet:
        return self.filter(kind=Kind.COMMUNITY_GROUP)

    def open(self) -> OrganizationQuerySet:
        return self.exclude(status__in=CLOSED_STATUSES)

    def in_region(self, prefix: str) -> OrganizationQuerySet:
        """Located in the region subtree (by the address code's materialised path)."""
        return self.filter(address_code__startswith=prefix)


class Organization(TimeStampedModel):
    """A registered organisation (keyed by USCC) or a filed community group (no USCC)."""

    kind = models.CharField(_("组织类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    former_names = models.JSONField(_("曾用名"), default=list, blank=True)
    # Lower-case pinyin initials of the current and former names, space separated ("jnsmzj …").
    name_initials = models.CharField(_("拼音首字母"), max_length=400, blank=True, default="")
    # Pinyin sort key of the current name ("ding1jia1zhuang1…", search.name_pinyin): lists
    # sort by it (丁 < 三 < 万), not by code point. Written wherever the name is written.
    name_pinyin = models.CharField(_("拼音排序"), max_length=1400, blank=True, default="")
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    management_level = models.CharField(
        _("管理层级"),
        max_length=12,
        choices=ManagementLevel.choices,
        default=ManagementLevel.COUNTY,
    )
    authority_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("登记管理机关所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_organizations",
    )
    community = models.ForeignKey(
        "regions.Region",
        verbose_name=_("住所所在社区/村"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resident_organizations",
    )
    # 12-digit code of the most precise known location (community, else street or district):
    # the materialised path every region filter and scope uses.
    address_code = models.CharField(_("住所区划代码"), max_length=12, db_index=True)
    address = models.CharField(_("住所"), max_length=300, blank=True, default="")
    supervisory_unit = models.CharField(_("业务主管单位"), max_length=200, blank=True, default="")
    legal_representative = models.ForeignKey(
        Person,
        verbose_name=_("法定代表人/负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="represented_organizations",
    )
    # 活动资金 (association) / 开办资金 (social service) / 原始基金 (foundation), in yuan.
    registered_funds = models.DecimalField(
        _("注册资金（元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    foundation_type = models.CharField(
        _("基金会类型"), max_length=12, choices=FoundationType.choices, blank=True, default=""
    )
    certificate_form = models.CharField(
        _("证书形式"), max_length=14, choices=CertificateForm.choices, blank=True, default=""
    )
    is_charity = models.BooleanField(_("慈善组织"), default=False)
    purpose = models.TextField(_("宗旨"), blank=True, default="")
    business_scope = models.TextField(_("业务范围"), blank=True, default="")
    activity_area = models.CharField(_("活动地域"), max_length=200, blank=True, default="")
    registration_date = models.DateField(
        _("登记（备案）日期"), null=True, blank=True, db_index=True
    )
    status = models.CharField(
        _("状态"), max_length=14, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属组织（分支机构）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["name", "id"]
        indexes = [
            models.Index(
                fields=["address_code", "kind", "status"], name="org_addr_kind_status_idx"
            ),
            models.Index(fields=["kind", "status"], name="org_kind_status_idx"),
            models.Index(fields=["community", "name"], name="org_community_name_idx"),
            models.Index(fields=["name_pinyin", "name", "id"], name="org_name_pinyin_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="community_group", uscc__isnull=True)
                | (~Q(kind="community_group") & Q(uscc__isnull=False)),
                name="org_uscc_iff_registered",
            ),
            # Bounded values on both engines (SQLite enforces neither digits nor lengths).
            decimal_within("registered_funds", 16, 2, name="org_registered_funds_bounded"),
            length_within("name", 200, name="org_name_length"),
            length_within("address", 300, name="org_address_length"),
            length_within("supervisory_unit", 200, name="org_supervisory_unit_length"),
            length_within("activity_area", 200, name="org_activity_area_length"),
            length_within("phone", 30, name="org_phone_length"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_registered(self) -> bool:
        return self.kind != Kind.COMMUNITY_GROUP

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class OfficerPosition(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
    CHAIR = "chair", _("会长/理事长")
    VICE_CHAIR = "vice_chair", _("副会长/副理事长")
    SECRETARY_GENERAL = "secretary_general", _("秘书长")
    DIRECTOR = "director", _("理事")
    SUPERVISOR = "supervisor", _("监事")
    PRINCIPAL = "principal", _("负责人")


class Officer(models.Model):
    """A person holding a position in an organisation over a period."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="officers"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="positions")
    position = models.CharField(_("职务"), max_length=24, choices=OfficerPosition.choices)
    start_date = models.DateField(_("任职日期"), null=True, blank=True)
    end_date = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("负责人")
        verbose_name_plural = _("负责人")
        ordering = ["organization_id", "position", "start_date", "id"]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_position_display()}"


class FieldChange(models.Model):
    """One field of one organisation changed: the basis of "as of date D"."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="field_changes"
    )
    field = models.CharField(_("字段"), max_length=40)
    old_value = models.JSONField(_("原值"), null=True, blank=True)
    new_value = models.JSONField(_("新值"), null=True, blank=True)
    changed_at = models.DateTimeField(_("变更时间"), db_index=True)
    audit_event = models.ForeignKey(
        "core.AuditEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_changes",
    )

    class Meta:
        verbose_name = _("字段变更")
        verbose_name_plural = _("字段变更")
        ordering = ["organization_id", "changed_at", "id"]
        indexes = [
            models.Index(fields=["organization", "changed_at"], name="fieldchange_org_time_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}.{self.field} @ {self.changed_at:%Y-%m-%d}"


class AccessReason(models.TextChoices):
    OWN = "own", _("本组织")
    HUB_MEMBER = "hub_member", _("枢纽/联合会成员")
    SUPERVISED = "supervised", _("主管/联审单位")
    ASSIGNED = "assigned", _("指派任务")
    PARTY = "party", _("党建指导")


class OrganizationAccess(models.Model):
    """A grant of one organisation to one user: the organisation-set part of a user's scope.

    Later issues (hubs, supervision, ratings) add grants with their own reasons; the scoped
    selectors pick them up without change.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_grants"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="access_grants"
    )
    reason = models.CharField(_("原因"), max_length=16, choices=AccessReason.choices)
    can_edit = models.BooleanField(_("可修改"), default=False)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织授权")
        verbose_name_plural = _("组织授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "reason"], name="orgaccess_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.organization_id} ({self.reason})"


class OrgRollup(models.Model):
    """Precomputed counts per region (every level), kind and status; dashboards read these.

    Kept current by the registry services in the same transaction (F() increments) and rebuilt
    from the base table by ``rebuild_org_rollups`` (performance.md §3).
    """

    region_code = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=14, choices=Status.choices)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "kind", "status"], name="orgrollup_unique"
            ),
        ]
        indexes = [models.Index(fields=["level", "region_code"], name="orgrollup_level_code_idx")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.kind} {self.status}: {self.count}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    PREVIEW = "preview", _("待确认")
    INVALID = "invalid", _("有错误")
    COMMITTING = "committing", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    """One upload of an organisation spreadsheet: validate → preview → commit (all or nothing)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    kind = models.CharField(_("导入类型"), max_length=20)  # "registered" or "community_group"
    filename = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", max_length=300)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # [{"row": 5, "column": "统一社会信用代码", "field": "uscc", "message": "…"}, …]
    errors = models.JSONField(_("错误"), default=list, blank=True)
    # {"create": n, "update": n, "unchanged": n}
    summary = models.JSONField(_("汇总"), default=dict, blank=True)
    task_id = models.CharField(_("任务"), max_length=64, blank=True, default="")
    message = models.CharField(_("说明"), max_length=500, blank=True, default="")
    # The process validating or committing the job and its last sign of life: a job whose
    # process died is marked failed (see import_jobs.py). attempts counts commit attempts.
    worker = models.CharField(_("执行进程"), max_length=200, blank=True, default="")
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("导入次数"), default=0)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
