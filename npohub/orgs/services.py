"""Writes on the registry: create, update, status change. Each is one transaction with an
audit event, field-level history and the rollup counts kept current."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import OnBehalfOf, audit_record
from npohub.core.errors import Conflict, InvalidTransition, ValidationFailed
from npohub.core.i18n import clauses
from npohub.core.models import AuditEvent
from npohub.core.permissions import require
from npohub.regions.codes import ancestors

from .models import (
    CLOSED_STATUSES,
    STATUS_TRANSITIONS,
    FieldChange,
    Kind,
    Organization,
    OrgRollup,
    Person,
    Status,
)
from .permissions import can_change_status, can_create_organization, can_edit_organization
from .search import name_initials, name_pinyin
from .validation import CleanedOrganization, OrganizationInput, clean_organization

# Fields whose history is kept (FieldChange) and shown "as of date D".
TRACKED_FIELDS = (
    "name",
    "uscc",
    "kind",
    "category_id",
    "management_level",
    "authority_region_id",
    "community_id",
    "address_code",
    "address",
    "supervisory_unit",
    "legal_representative_id",
    "registered_funds",
    "foundation_type",
    "certificate_form",
    "is_charity",
    "purpose",
    "business_scope",
    "activity_area",
    "registration_date",
    "status",
    "status_changed_on",
    "phone",
)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def organization_snapshot(org: Organization) -> dict[str, Any]:
    """The tracked fields of an organisation as JSON-ready values."""
    return {name: _json_value(getattr(org, name)) for name in TRACKED_FIELDS}


def rollup_apply(*, address_code: str, kind: str, status: str, delta: int) -> None:
    """Add ``delta`` to the counts of every region above (and at) the address."""
    if not address_code or delta == 0:
        return
    for level, code in ancestors(address_code):
        updated = OrgRollup.objects.filter(region_code=code, kind=kind, status=status).update(
            count=F("count") + delta
        )
        if not updated:
            OrgRollup.objects.create(
                region_code=code, level=level, kind=kind, status=status, count=delta
            )


# Checks run whenever a person is set as legal representative or officer: (id_number, on) ->
# a refusal message or None. Higher apps append theirs in ``ready`` (credit: barred persons).
PERSON_CHECKS: list[Callable[[str, dt.date], str | None]] = []


def person_check(id_number: str, *, field: str, on: dt.date | None = None) -> None:
    """Raise ValidationFailed on ``field`` when a registered check refuses the person."""
    if not id_number:
        return
    for check in PERSON_CHECKS:
        message = check(id_number, on or timezone.localdate())
        if message:
            raise ValidationFailed(message, details={field: message})


def _person_for(cleaned: CleanedOrganization) -> Person | None:
    if not cleaned.legal_representative_name:
        return None
    person_check(cleaned.legal_representative_id_number, field="legal_representative_id_number")
    if cleaned.legal_representative_id_number:
        person, created = Person.objects.get_or_create(
            id_number=cleaned.legal_representative_id_number,
            defaults={
                "name": cleaned.legal_representative_name,
                "phone": cleaned.legal_representative_phone,
            },
        )
        if not created and person.name != cleaned.legal_representative_name:
            registered_as = _("该身份证号已登记为“%(name)s”") % {"name": person.name}
            raise ValidationFailed(
                _("身份证号与姓名不一致"),
                details={"legal_representative_id_number": registered_as},
            )
        return person
    return Person.objects.create(
        name=cleaned.legal_representative_name, phone=cleaned.legal_representative_phone
    )


def _representative_changed(current: Person | None, cleaned: CleanedOrganization) -> bool:
    """A different name, or a different ID number when one is given, means another person."""
    if not cleaned.legal_representative_name:
        return current is not None
    if current is None or current.name != cleaned.legal_representative_name:
        return True
    wanted_id = cleaned.legal_representative_id_number
    return bool(wanted_id) and current.id_number != wanted_id


def check_unique(cleaned: CleanedOrganization, *, exclude_pk: int | None = None) -> dict[str, str]:
    """Duplicate USCC anywhere; duplicate open name (registered) or name within a community (filed)."""
    errors: dict[str, str] = {}
    others = (
        Organization.objects.exclude(pk=exclude_pk) if exclude_pk else Organization.objects.all()
    )
    if cleaned.uscc and others.filter(uscc=cleaned.uscc).exists():
        errors["uscc"] = _("统一社会信用代码 %(uscc)s 已被登记") % {"uscc": cleaned.uscc}
    open_others = others.exclude(status__in=CLOSED_STATUSES)
    if cleaned.kind == Kind.COMMUNITY_GROUP:
        if open_others.filter(
            kind=Kind.COMMUNITY_GROUP, name=cleaned.name, community=cleaned.community
        ).exists():
            errors["name"] = _("该社区已有名为“%(name)s”的备案组织") % {"name": cleaned.name}
    elif open_others.exclude(kind=Kind.COMMUNITY_GROUP).filter(name=cleaned.name).exists():
        errors["name"] = _("名称“%(name)s”已被其他登记组织使用") % {"name": cleaned.name}
    return errors


def _apply(org: Organization, cleaned: CleanedOrganization) -> None:
    org.kind = cleaned.kind
    org.name = cleaned.name
    org.uscc = cleaned.uscc
    org.category = cleaned.category
    org.management_level = cleaned.management_level
    org.authority_region = cleaned.authority_region
    org.community = cleaned.community
    org.address_code = cleaned.address_code
    org.address = cleaned.address
    org.supervisory_unit = cleaned.supervisory_unit
    org.registered_funds = cleaned.registered_funds
    org.foundation_type = cleaned.foundation_type
    org.certificate_form = cleaned.certificate_form
    org.is_charity = cleaned.is_charity
    org.purpose = cleaned.purpose
    org.business_scope = cleaned.business_scope
    org.activity_area = cleaned.activity_area
    org.registration_date = cleaned.registration_date
    org.phone = cleaned.phone
    former = [
        entry["name"] for entry in org.former_names if isinstance(entry, dict) and "name" in entry
    ]
    org.name_initials = name_initials(org.name, *former)
    org.name_pinyin = name_pinyin(org.name)


def _clean_or_raise(data: OrganizationInput) -> CleanedOrganization:
    cleaned, errors = clean_organization(data, today=timezone.localdate())
    if errors or cleaned is None:
        raise ValidationFailed(
            _("组织信息有误：%(errors)s") % {"errors": clauses(errors.values())}, details=errors
        )
    return cleaned


@transaction.atomic
def organization_create(
    *,
    actor: User,
    data: OrganizationInput,
    on_behalf_of: OnBehalfOf | None = None,
    workflow: bool = False,
) -> Organization:
    """Add an organisation to the registry (a registered one by USCC, or a filed group).

    ``workflow=True``: the caller is a registration workflow whose transition table has
    already authorised the actor (e.g. a street federation filing for its street office).
    """
    cleaned = _clean_or_raise(data)
    if not workflow:
        require(
            can_create_organization(actor, kind=cleaned.kind, address_code=cleaned.address_code)
        )
    duplicates = check_unique(cleaned)
    if duplicates:
        raise Conflict(
            _("与已登记组织重复：%(duplicates)s") % {"duplicates": clauses(duplicates.values())},
            code="duplicate",
            details=duplicates,
        )
    org = Organization(status=cleaned.status, status_changed_on=None)
    _apply(org, cleaned)
    org.legal_representative = _person_for(cleaned)
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:
        raise Conflict(_("与已登记组织重复"), code="duplicate") from exc
    rollup_apply(address_code=org.address_code, kind=org.kind, status=org.status, delta=1)
    audit_record(
        actor=actor,
        kind="orgs.organization_created",
        target=org,
        payload={"values": organization_snapshot(org)},
        on_behalf_of=on_behalf_of,
        organization_id=org.pk,
        region_code=org.address_code,
    )
    return org


def _record_changes(
    org: Organization, before: dict[str, Any], event: AuditEvent, when: dt.datetime
) -> dict[str, list[Any]]:
    after = organization_snapshot(org)
    changes = {k: [before[k], after[k]] for k in TRACKED_FIELDS if before[k] != after[k]}
    FieldChange.objects.bulk_create(
        FieldChange(
            organization=org,
            field=k,
            old_value=old,
            new_value=new,
            changed_at=when,
            audit_event=event,
        )
        for k, (old, new) in changes.items()
    )
    return changes


@transaction.atomic
def organization_update(
    *,
    actor: User,
    org: Organization,
    data: OrganizationInput,
    on_behalf_of: OnBehalfOf | None = None,
    workflow: bool = False,
) -> Organization:
    """Correct the registry record; every changed field is kept in the history.

    ``workflow=True``: an approved change application (authorised by its workflow).
    """
    if not workflow:
        require(can_edit_organization(actor, org))
    org = Organization.objects.select_for_update().get(pk=org.pk)
    cleaned = _clean_or_raise(data)
    if cleaned.kind != org.kind:
        raise ValidationFailed(
            _("组织类型不能在此修改（备案转登记走登记流程）"), details={"kind": _("不能修改")}
        )
    if not workflow:
        require(
            can_create_organization(actor, kind=cleaned.kind, address_code=cleaned.address_code)
        )
    duplicates = check_unique(cleaned, exclude_pk=org.pk)
    if duplicates:
        raise Conflict(
            _("与已登记组织重复：%(duplicates)s") % {"duplicates": clauses(duplicates.values())},
            code="duplicate",
            details=duplicates,
        )
    before = organization_snapshot(org)
    old_name, old_address_code = org.name, org.address_code
    if cleaned.name != old_name:
        org.former_names = [
            *org.former_names,
            {"name": old_name, "until": timezone.localdate().isoformat()},
        ]
    _apply(org, cleaned)
    if _representative_changed(org.legal_representative, cleaned):
        org.legal_representative = _person_for(cleaned)
    if before == organization_snapshot(org) and old_name == org.name:
        return org
    org.save()
    if old_address_code != org.address_code:
        rollup_apply(address_code=old_address_code, kind=org.kind, status=org.status, delta=-1)
        rollup_apply(address_code=org.address_code, kind=org.kind, status=org.status, delta=1)
    now = timezone.now()
    event = audit_record(
        actor=actor,
        kind="orgs.organization_updated",
        target=org,
        payload={},
        on_behalf_of=on_behalf_of,
        organization_id=org.pk,
        region_code=org.address_code,
    )
    changes = _record_changes(org, before, event, now)
    event.payload = {"changes": changes}
    event.save(update_fields=["payload"])
    return org


@transaction.atomic
def organization_change_status(
    *,
    actor: User,
    org: Organization,
    status: str,
    reason: str,
    effective_on: dt.date | None = None,
    on_behalf_of: OnBehalfOf | None = None,
    workflow: bool = False,
) -> Organization:
    """Move an organisation along the status lifecycle (STATUS_TRANSITIONS) with a reason.

    ``workflow=True``: an approved deregistration or revocation (authorised by its workflow).
    """
    if not workflow:
        require(can_change_status(actor, org))
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if status not in Status.values:
        raise ValidationFailed(
            _("未知状态“%(status)s”") % {"status": status}, details={"status": _("无效")}
        )
    if status not in STATUS_TRANSITIONS[org.status]:
        raise InvalidTransition(
            _("不能从“%(current)s”变更为“%(new)s”")
            % {"current": org.get_status_display(), "new": Status(status).label},
            details={"from": org.status, "to": status},
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写状态变更原因"), details={"reason": _("必填")})
    effective_on = effective_on or timezone.localdate()
    before = organization_snapshot(org)
    old_status = org.status
    org.status = status
    org.status_changed_on = effective_on
    org.save(update_fields=["status", "status_changed_on", "updated_at"])
    rollup_apply(address_code=org.address_code, kind=org.kind, status=old_status, delta=-1)
    rollup_apply(address_code=org.address_code, kind=org.kind, status=status, delta=1)
    event = audit_record(
        actor=actor,
        kind="orgs.organization_status_changed",
        target=org,
        payload={
            "from": old_status,
            "to": status,
            "reason": reason,
            "effective_on": effective_on.isoformat(),
        },
        on_behalf_of=on_behalf_of,
        organization_id=org.pk,
        region_code=org.address_code,
    )
    _record_changes(org, before, event, timezone.now())
    return org


@transaction.atomic
def organization_upgrade_to_registered(
    *,
    actor: User,
    org: Organization,
    data: OrganizationInput,
    on_behalf_of: OnBehalfOf | None = None,
) -> Organization:
    """备案 → 登记: a filed group becomes a registered organisation, keeping record and history.

    Called only by an approved establishment application (its workflow authorised the actor).
    """
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if org.kind != Kind.COMMUNITY_GROUP or org.is_closed:
        raise ValidationFailed(
            _("只有正常状态的备案社区社会组织可以转为登记"),
            details={"kind": _("不是备案组织")},
        )
    cleaned = _clean_or_raise(data)
    if cleaned.kind == Kind.COMMUNITY_GROUP:
        raise ValidationFailed(_("请选择登记后的组织类型"), details={"kind": _("必填")})
    duplicates = check_unique(cleaned, exclude_pk=org.pk)
    if duplicates:
        raise Conflict(
            _("与已登记组织重复：%(duplicates)s") % {"duplicates": clauses(duplicates.values())},
            code="duplicate",
            details=duplicates,
        )
    before = organization_snapshot(org)
    old_kind, old_address, old_status = org.kind, org.address_code, org.status
    if cleaned.name != org.name:
        org.former_names = [
            *org.former_names,
            {"name": org.name, "until": timezone.localdate().isoformat()},
        ]
    _apply(org, cleaned)
    org.status = cleaned.status
    if _representative_changed(org.legal_representative, cleaned):
        org.legal_representative = _person_for(cleaned)
    org.save()
    rollup_apply(address_code=old_address, kind=old_kind, status=old_status, delta=-1)
    rollup_apply(address_code=org.address_code, kind=org.kind, status=org.status, delta=1)
    event = audit_record(
        actor=actor,
        kind="orgs.organization_upgraded",
        target=org,
        payload={"from_kind": old_kind, "to_kind": org.kind, "uscc": org.uscc},
        on_behalf_of=on_behalf_of,
        organization_id=org.pk,
        region_code=org.address_code,
    )
    _record_changes(org, before, event, timezone.now())
    return org
