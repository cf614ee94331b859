"""How field history and "as of" snapshots read on the page: labels, names for ids, dates."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npohub.core.i18n import short_label
from npohub.core.templatetags.npohub import cn_date, yes_no, yuan
from npohub.regions.models import Region

from . import services
from .forms import FUNDS_LABELS
from .models import (
    Category,
    CertificateForm,
    FieldChange,
    FoundationType,
    Kind,
    ManagementLevel,
    Organization,
    Person,
    Status,
)
from .permissions import OrganizationView

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of ``day`` in the local time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def funds_label(kind: str) -> str:
    """The kind's name for its registered funds, without the unit: 活动资金 / Operating funds."""
    label = FUNDS_LABELS.get(Kind(kind)) if kind in Kind.values else None
    return short_label(label or FUNDS_LABELS[Kind.ASSOCIATION])


FIELD_TITLES = {
    "name": gettext_lazy("名称"),
    "uscc": gettext_lazy("统一社会信用代码"),
    "kind": gettext_lazy("组织类型"),
    "category_id": gettext_lazy("类别"),
    "management_level": gettext_lazy("管理层级"),
    "authority_region_id": gettext_lazy("登记管理机关所在区划"),
    "community_id": gettext_lazy("住所所在社区/村"),
    "address_code": gettext_lazy("住所区划代码"),
    "address": gettext_lazy("住所"),
    "supervisory_unit": gettext_lazy("业务主管单位"),
    "legal_representative_id": gettext_lazy("法定代表人/负责人"),
    "registered_funds": gettext_lazy("注册资金"),
    "foundation_type": gettext_lazy("基金会类型"),
    "certificate_form": gettext_lazy("证书形式"),
    "is_charity": gettext_lazy("慈善组织"),
    "purpose": gettext_lazy("宗旨"),
    "business_scope": gettext_lazy("业务范围"),
    "activity_area": gettext_lazy("活动地域"),
    "registration_date": gettext_lazy("登记（备案）日期"),
    "status": gettext_lazy("状态"),
    "status_changed_on": gettext_lazy("状态变更日期"),
    "phone": gettext_lazy("联系电话"),
}
_CHOICES: dict[str, dict[str, StrOrPromise]] = {
    "kind": dict(Kind.choices),
    "management_level": dict(ManagementLevel.choices),
    "foundation_type": dict(FoundationType.choices),
    "certificate_form": dict(CertificateForm.choices),
    "status": dict(Status.choices),
}
# Foreign keys in the history are stored as ids; names are looked up in one query per model.
_FK_MODELS: dict[str, Any] = {
    "category_id": Category,
    "authority_region_id": Region,
    "community_id": Region,
    "legal_representative_id": Person,
}


def _field_title(field: str, kind: str) -> str:
    if field == "registered_funds":
        return funds_label(kind)
    return str(FIELD_TITLES.get(field, field))


def _fk_names(pairs: list[tuple[str, Any]]) -> dict[tuple[Any, Any], str]:
    """{(model, id): name} for every foreign-key value mentioned, one query per model."""
    wanted: dict[Any, set[Any]] = {}
    for field, value in pairs:
        if field in _FK_MODELS and value not in (None, ""):
            wanted.setdefault(_FK_MODELS[field], set()).add(value)
    names: dict[tuple[Any, Any], str] = {}
    for model, ids in wanted.items():
        for pk, name in model.objects.filter(pk__in=ids).values_list("pk", "name"):
            names[(model, pk)] = name
    return names


def _display(field: str, value: Any, names: dict[tuple[Any, Any], str]) -> str:
    if value in (None, ""):
        return "—"
    if field in _FK_MODELS:
        return names.get((_FK_MODELS[field], value), f"#{value}")
    if field in _CHOICES:
        return str(_CHOICES[field].get(value, value))
    if field == "is_charity":
        return yes_no(value)
    if field in ("registration_date", "status_changed_on"):
        return cn_date(value)
    if field == "registered_funds":
        return yuan(value)
    return str(value)


def history_rows(
    org: Organization, changes: list[FieldChange], view: OrganizationView
) -> list[dict[str, Any]]:
    """Each change as time, actor, field label and old → new in words (personal data masked as
    ``view`` says)."""
    names = _fk_names(
        [(c.field, c.old_value) for c in changes] + [(c.field, c.new_value) for c in changes]
    )
    rows = []
    for change in changes:
        event = change.audit_event
        payload = event.payload if event is not None else {}
        rows.append(
            {
                "when": change.changed_at,
                "actor": event.actor_label if event is not None else _("系统"),
                "on_behalf_of": event.on_behalf_of if event is not None else "",
                "field": _field_title(change.field, org.kind),
                "old": _display(change.field, view.recorded(change.field, change.old_value), names),
                "new": _display(change.field, view.recorded(change.field, change.new_value), names),
                "reason": payload.get("reason", "") if change.field == "status" else "",
            }
        )
    return rows


def snapshot_rows(
    org: Organization, values: dict[str, Any], view: OrganizationView
) -> list[dict[str, Any]]:
    """The recorded fields as they stood then, each marked when it differs from today
    (personal data masked as ``view`` says)."""
    current = services.organization_snapshot(org)
    names = _fk_names(list(values.items()) + list(current.items()))
    return [
        {
            "field": _field_title(field, org.kind),
            "value": _display(field, view.recorded(field, value), names),
            "now": _display(field, view.recorded(field, current.get(field)), names),
            "changed": value != current.get(field),
        }
        for field, value in values.items()
        if field != "address_code"
    ]
