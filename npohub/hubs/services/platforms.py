"""Service platforms (服务平台) run by hubs: setting one up, its visits and honours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.regions.models import Region

from ..models import (
    PLATFORM_REGION_LEVEL,
    Hub,
    HubStatus,
    PlatformHonour,
    PlatformLevel,
    PlatformOffering,
    PlatformVisit,
    ServicePlatform,
)
from ..permissions import (
    can_manage_platform,
    can_record_platform_activity,
)


@dataclass
class PlatformInput:
    name: str
    level: str
    region: Region
    operator: Hub
    opened_on: dt.date
    offerings: list[str]
    address: str = ""
    area_sqm: int | None = None


@transaction.atomic
def platform_create(*, actor: User, data: PlatformInput) -> ServicePlatform:
    require(can_manage_platform(actor, data.region.code))
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("必填")
    if data.level not in PlatformLevel.values:
        errors["level"] = _("无效")
    elif data.region.level != PLATFORM_REGION_LEVEL[PlatformLevel(data.level)]:
        errors["region"] = _("区划级别与平台层级不一致")
    if data.operator.status != HubStatus.RECOGNISED:
        errors["operator"] = _("运营枢纽的认定已撤销")
    known = dict(PlatformOffering.objects.filter(code__in=data.offerings).values_list("code", "pk"))
    if set(data.offerings) - set(known):
        errors["offerings"] = _("无效")
    if errors:
        raise ValidationFailed(_("请检查平台信息"), details=errors)
    platform = ServicePlatform.objects.create(
        name=data.name.strip(),
        level=data.level,
        region=data.region,
        region_code=data.region.code,
        operator=data.operator,
        opened_on=data.opened_on,
        address=data.address,
        area_sqm=data.area_sqm,
    )
    platform.offerings.set(list(known.values()))
    audit_record(
        actor=actor,
        kind="hubs.platform_created",
        target=platform,
        payload={"level": data.level, "region": data.region.code, "operator": data.operator.pk},
        organization_id=data.operator.organization_id,
        region_code=data.region.code,
    )
    return platform


@transaction.atomic
def platform_record_visit(
    *,
    actor: User,
    platform: ServicePlatform,
    visited_on: dt.date,
    visitor: str,
    headcount: int,
    purpose: str = "",
) -> PlatformVisit:
    require(can_record_platform_activity(actor, platform))
    if not visitor.strip() or headcount < 1:
        raise ValidationFailed(
            _("请填写来访单位和人数"),
            details={"visitor": _("必填")} if not visitor.strip() else {"headcount": _("无效")},
        )
    visit = PlatformVisit.objects.create(
        platform=platform,
        visited_on=visited_on,
        visitor=visitor.strip(),
        headcount=headcount,
        purpose=purpose.strip(),
    )
    audit_record(
        actor=actor,
        kind="hubs.platform_visit",
        target=visit,
        payload={"platform": platform.pk, "visitor": visit.visitor, "headcount": headcount},
        region_code=platform.region_code,
    )
    return visit


@transaction.atomic
def platform_record_honour(
    *, actor: User, platform: ServicePlatform, title: str, awarded_by: str, awarded_on: dt.date
) -> PlatformHonour:
    require(can_record_platform_activity(actor, platform))
    if not title.strip() or not awarded_by.strip():
        raise ValidationFailed(
            _("请填写荣誉名称和授予单位"),
            details={
                k: _("必填")
                for k, v in (("title", title), ("awarded_by", awarded_by))
                if not v.strip()
            },
        )
    honour = PlatformHonour.objects.create(
        platform=platform, title=title.strip(), awarded_by=awarded_by.strip(), awarded_on=awarded_on
    )
    audit_record(
        actor=actor,
        kind="hubs.platform_honour",
        target=honour,
        payload={"platform": platform.pk, "title": honour.title},
        region_code=platform.region_code,
    )
    return honour
