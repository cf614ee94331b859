"""The three lists a street keeps (needs, resources, services: 三项清单)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.regions.models import Level, Region

from ..models import (
    STREET_LISTS,
    Federation,
    ListStatus,
    StreetListItem,
)
from ..permissions import can_keep_street_lists


@transaction.atomic
def street_list_item_create(
    *,
    actor: User,
    list_kind: str,
    street: Region,
    title: str,
    description: str = "",
    category: str = "",
) -> StreetListItem:
    """Add an entry to the street's needs, resources or services list."""
    model = STREET_LISTS.get(list_kind)
    if model is None:
        raise ValidationFailed(_("未知的清单"), details={"list_kind": _("无效")})
    require(can_keep_street_lists(actor, street.code))
    if street.level != Level.TOWNSHIP:
        raise ValidationFailed(_("请选择街道或乡镇"), details={"street": _("不是乡级区划")})
    if not title.strip():
        raise ValidationFailed(_("请填写标题"), details={"title": _("必填")})
    fed = Federation.objects.filter(street=street, dissolved_on__isnull=True).first()
    item: StreetListItem = model.objects.create(
        street=street,
        street_code=street.code,
        federation=fed,
        title=title.strip(),
        description=description.strip(),
        category=category.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        kind=f"hubs.street_{list_kind}_added",
        target=item,
        payload={"title": item.title, "category": item.category},
        organization_id=fed.organization_id if fed else None,
        region_code=street.code,
    )
    return item


@transaction.atomic
def street_list_item_set_status(
    *, actor: User, item: StreetListItem, status: str
) -> StreetListItem:
    require(can_keep_street_lists(actor, item.street_code))
    if status not in ListStatus.values:
        raise ValidationFailed(_("无效的状态"), details={"status": _("无效")})
    before = item.status
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        kind="hubs.street_list_status",
        target=item,
        payload={"before": before, "status": status},
        region_code=item.street_code,
    )
    return item
