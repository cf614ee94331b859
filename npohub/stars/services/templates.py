"""Monthly scorecard templates: a locality's items worth 10 points, versions put back or retired."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import audit_record
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require

from ..models import ScorecardItem, ScorecardTemplate
from ..permissions import can_activate_template, can_manage_templates, can_retire_template
from .common import SLUG, TEMPLATE_TOTAL, TENTH

# --- templates -------------------------------------------------------------------------------


@dataclass
class ItemInput:
    code: str
    name: str
    max_points: Decimal
    guidance: str = ""
    is_party_building: bool = False


def _row_label(row: int, name: str) -> str:
    if name:
        return _("第%(row)d项“%(name)s”") % {"row": row, "name": name}
    return _("第%(row)d项") % {"row": row}


def _row_points_error(value: Any) -> str | None:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return _("分值不是有效的数字")
    if not points.is_finite() or points <= 0:
        return _("分值须大于0（现为%(points)s）") % {"points": value}
    if points.quantize(TENTH) != points:
        return _("分值最多保留一位小数")
    if points > TEMPLATE_TOTAL:
        return _("分值不能超过10分")
    return None


def _row_code_error(code: str, seen: dict[str, int]) -> str | None:
    if not code:
        return _("缺少项目代码")
    if len(code) > 40 or not SLUG.fullmatch(code):
        return _("项目代码“%(code)s”只能由字母、数字、连字符和下划线组成（至多40个字符）") % {
            "code": code
        }
    if code in seen:
        return _("项目代码“%(code)s”与第%(other)d项重复") % {"code": code, "other": seen[code]}
    return None


def template_item_errors(items: list[ItemInput]) -> dict[str, str]:
    """What is wrong with each row of a scorecard, by ``items.<row>.<field>`` (rows counted
    from 1 in the order given): a name (no two alike), positive points with at most one
    decimal, a code (no two alike), guidance of at most 300 characters. Reads nothing: the
    page marks the refused rows with it."""
    errors: dict[str, str] = {}
    names: dict[str, int] = {}
    codes: dict[str, int] = {}
    for row, item in enumerate(items, start=1):
        name, code = item.name.strip(), item.code.strip()
        label = _row_label(row, name)
        if not name:
            errors[f"items.{row}.name"] = _("%(row)s：请填写评分项目名称") % {"row": label}
        elif len(name) > 100:
            errors[f"items.{row}.name"] = _("%(row)s：名称不能超过100个字符") % {"row": label}
        elif name in names:
            errors[f"items.{row}.name"] = _("%(row)s：与第%(other)d项重名") % {
                "row": label,
                "other": names[name],
            }
        if name:
            names.setdefault(name, row)
        points_error = _row_points_error(item.max_points)
        if points_error:
            errors[f"items.{row}.max_points"] = f"{label}：{points_error}"
        code_error = _row_code_error(code, codes)
        if code_error:
            errors[f"items.{row}.code"] = f"{label}：{code_error}"
        if code:
            codes.setdefault(code, row)
        if len(item.guidance.strip()) > 300:
            errors[f"items.{row}.guidance"] = _("%(row)s：评分要点不能超过300个字符") % {
                "row": label
            }
    return errors


def _check_template_items(items: list[ItemInput]) -> None:
    """Refuses a scorecard without rows, or naming every bad row (``template_item_errors``);
    the 10-point total is checked after the rows."""
    if not items:
        raise ValidationFailed(
            _("请至少填写一个评分项目"), code="stars.template_items", details={"items": _("必填")}
        )
    errors = template_item_errors(items)
    if errors:
        raise ValidationFailed(
            "；".join(errors.values()), code="stars.template_items", details=errors
        )


@transaction.atomic
def scorecard_template_create(
    *, actor: User, name: str, region_code: str, items: list[ItemInput]
) -> ScorecardTemplate:
    """A locality's monthly scorecard: items worth 10 points in all; replaces the active one."""
    require(can_manage_templates(actor, region_code))
    codes = [i.code.strip() for i in items]
    if not name.strip():
        raise ValidationFailed(_("请填写评分表名称"), details={"name": _("必填")})
    _check_template_items(items)
    total = sum((Decimal(str(i.max_points)) for i in items), Decimal("0"))
    if total != TEMPLATE_TOTAL or any(Decimal(str(i.max_points)) <= 0 for i in items):
        raise ValidationFailed(
            _("各评分项目分值须为正数且合计10分（现为%(total)s分）") % {"total": total},
            code="stars.template_total",
            details={"items": _("无效")},
        )
    ScorecardTemplate.objects.filter(region_code=region_code, is_active=True).update(
        is_active=False
    )
    template = ScorecardTemplate.objects.create(name=name.strip(), region_code=region_code)
    ScorecardItem.objects.bulk_create(
        [
            ScorecardItem(
                template=template,
                code=item.code.strip(),
                name=item.name.strip(),
                max_points=Decimal(str(item.max_points)),
                guidance=item.guidance.strip(),
                is_party_building=item.is_party_building,
                sort_order=order,
            )
            for order, item in enumerate(items, start=1)
        ]
    )
    audit_record(
        actor=actor,
        kind="stars.template_created",
        target=template,
        payload={"region_code": region_code, "items": codes},
        region_code=region_code,
    )
    return template


@transaction.atomic
def scorecard_template_activate(*, actor: User, template: ScorecardTemplate) -> ScorecardTemplate:
    """Put an earlier version of a locality's scorecard back in force; the locality's active
    one is retired in the same step (scorecards already filled keep their own version)."""
    template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
    require(can_activate_template(actor, template))
    current = ScorecardTemplate.objects.filter(region_code=template.region_code, is_active=True)
    replaced = list(current.values_list("pk", flat=True))
    current.update(is_active=False)
    template.is_active = True
    template.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        kind="stars.template_activated",
        target=template,
        payload={"region_code": template.region_code, "replaced": replaced},
        region_code=template.region_code,
    )
    return template


@transaction.atomic
def scorecard_template_retire(*, actor: User, template: ScorecardTemplate) -> ScorecardTemplate:
    """Stop a locality's scorecard: its organisations are scored on the enclosing region's."""
    template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
    require(can_retire_template(actor, template))
    template.is_active = False
    template.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        kind="stars.template_retired",
        target=template,
        payload={"region_code": template.region_code},
        region_code=template.region_code,
    )
    return template
