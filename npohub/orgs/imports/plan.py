"""Deciding each cleaned row against the registry (create, update or unchanged), the whole
plan of a file (``import_plan``), and deciding again under the write lock.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.regions.models import Region

from ..import_files import FileRefused, Limits, read_rows
from ..models import (
    CLOSED_STATUSES,
    Category,
    ImportJob,
    Kind,
    Organization,
    Person,
    Status,
)
from ..permissions import can_edit_organization
from ..services import TRACKED_FIELDS
from ..validation import (
    CleanedOrganization,
    Lookups,
)
from .rows import (
    CENTS,
    ImportPlan,
    RowPlan,
    _chunks,
    _clean_rows,
    _map_header,
    _Reporter,
    _with_region_lookups,
)


def _desired_values(cleaned: CleanedOrganization) -> dict[str, Any]:
    """The model values a cleaned row asks for (status excepted: it has its own workflow)."""
    return {
        "kind": cleaned.kind,
        "name": cleaned.name,
        "uscc": cleaned.uscc,
        "category_id": cleaned.category.pk if cleaned.category else None,
        "management_level": cleaned.management_level,
        "authority_region_id": cleaned.authority_region.pk if cleaned.authority_region else None,
        "community_id": cleaned.community.pk if cleaned.community else None,
        "address_code": cleaned.address_code,
        "address": cleaned.address,
        "supervisory_unit": cleaned.supervisory_unit,
        "registered_funds": (
            cleaned.registered_funds.quantize(CENTS)
            if cleaned.registered_funds is not None
            else None
        ),
        "foundation_type": cleaned.foundation_type,
        "certificate_form": cleaned.certificate_form,
        "is_charity": cleaned.is_charity,
        "purpose": cleaned.purpose,
        "business_scope": cleaned.business_scope,
        "activity_area": cleaned.activity_area,
        "registration_date": cleaned.registration_date,
        "phone": cleaned.phone,
    }


def _person_changed(org: Organization, cleaned: CleanedOrganization) -> bool:
    if not cleaned.legal_representative_name:
        return False
    rep = org.legal_representative
    return (
        rep is None
        or rep.name != cleaned.legal_representative_name
        or bool(
            cleaned.legal_representative_id_number
            and rep.id_number != cleaned.legal_representative_id_number
        )
    )


# What the decision reads of a matching registry record: plain values, not model instances
# (a re-import of 100 k unchanged rows would otherwise build 100 k organisations and people).
DESIRED_FIELDS = (
    "kind",
    *(
        f
        for f in TRACKED_FIELDS
        if f not in ("kind", "legal_representative_id", "status", "status_changed_on")
    ),
)


_EXISTING_FIELDS = (
    "id",
    "status",
    "legal_representative_id",
    "legal_representative__name",
    "legal_representative__id_number",
    *DESIRED_FIELDS,
)


_AT = {name: index for index, name in enumerate(_EXISTING_FIELDS)}


def _existing_for(
    plans: list[RowPlan],
) -> tuple[dict[Any, tuple[Any, ...]], dict[str, str | None]]:
    """Registry records matching the rows (by USCC, or community + name) as value tuples in
    ``_EXISTING_FIELDS`` order, and the names taken by open registered organisations."""
    usccs = [p.cleaned.uscc for p in plans if p.cleaned.uscc]
    community_ids = sorted(
        {p.cleaned.community.pk for p in plans if p.cleaned.community and not p.cleaned.uscc}
    )
    names = sorted({p.cleaned.name for p in plans if p.cleaned.uscc})
    existing: dict[Any, tuple[Any, ...]] = {}
    uscc_at, status_at = _AT["uscc"], _AT["status"]
    code_at, name_at = _AT["address_code"], _AT["name"]
    for chunk in _chunks(usccs):
        for values in Organization.objects.filter(uscc__in=chunk).values_list(*_EXISTING_FIELDS):
            existing[values[uscc_at]] = values
    for chunk in _chunks(community_ids):
        # Prefer the open group when a closed one of the same name also exists.
        groups = Organization.objects.filter(kind=Kind.COMMUNITY_GROUP, community_id__in=chunk)
        for values in groups.order_by("id").values_list(*_EXISTING_FIELDS):
            key = (values[code_at], values[name_at])
            if key not in existing or values[status_at] not in CLOSED_STATUSES:
                existing[key] = values
    taken_names: dict[str, str | None] = {}
    for chunk in _chunks(names):
        rows = Organization.objects.registered().open().filter(name__in=chunk)
        taken_names.update(rows.values_list("name", "uscc"))
    return existing, taken_names


def _persons_for(plans: list[RowPlan]) -> dict[str, Person]:
    ids = sorted(
        {
            p.cleaned.legal_representative_id_number
            for p in plans
            if p.cleaned.legal_representative_id_number
        }
    )
    persons: dict[str, Person] = {}
    for chunk in _chunks(ids):
        persons.update({p.id_number: p for p in Person.objects.filter(id_number__in=chunk)})
    return persons


def _decide(*, actor: User, plans: list[RowPlan], report: _Reporter) -> list[RowPlan]:
    """Create, update or unchanged for each row, against what the registry holds."""
    existing, taken_names = _existing_for(plans)
    persons = _persons_for(plans)
    report.plan.persons_by_id = persons
    decided = []
    to_update: dict[int, RowPlan] = {}  # organisation id → the row changing it
    for plan in plans:
        cleaned = plan.cleaned
        key = cleaned.uscc or (cleaned.address_code, cleaned.name)
        found = existing.get(key)
        id_number = cleaned.legal_representative_id_number
        person = persons.get(id_number) if id_number else None
        if person is not None and person.name != cleaned.legal_representative_name:
            report.add(
                plan.row,
                "legal_representative_id_number",
                _("该身份证号已登记为“%(name)s”") % {"name": person.name},
            )
            continue
        if cleaned.uscc and taken_names.get(cleaned.name, cleaned.uscc) != cleaned.uscc:
            message = _("名称“%(name)s”已被其他登记组织使用") % {"name": cleaned.name}
            report.add(plan.row, "name", message)
            continue
        if found is None:
            decided.append(plan)
            continue
        if found[_AT["kind"]] != cleaned.kind:
            label = Kind(found[_AT["kind"]]).label
            report.add(
                plan.row, "kind", _("该统一社会信用代码已登记为“%(kind)s”") % {"kind": label}
            )
            continue
        status = found[_AT["status"]]
        if plan.status_given and cleaned.status != status:
            report.add(
                plan.row,
                "status",
                _("状态不能通过导入修改（当前为“%(status)s”），请使用状态变更")
                % {"status": Status(status).label},
            )
            continue
        changed = _person_changed_values(found, cleaned) or any(
            found[_AT[name]] != value for name, value in _desired_values(cleaned).items()
        )
        if changed:
            to_update[found[_AT["id"]]] = plan
        else:
            plan.action = "unchanged"
        decided.append(plan)
    refused: set[int] = set()
    orgs = Organization.objects.select_related("legal_representative").in_bulk(list(to_update))
    for pk, plan in to_update.items():
        org = orgs[pk]
        plan.existing = org
        plan.person_changed = _person_changed(org, plan.cleaned)
        decision = can_edit_organization(actor, org)
        if not decision:
            report.add(plan.row, "uscc" if plan.cleaned.uscc else "name", decision.reason)
            refused.add(plan.row)
            continue
        plan.action = "update"
    return [p for p in decided if p.row not in refused] if refused else decided


def _person_changed_values(found: tuple[Any, ...], cleaned: CleanedOrganization) -> bool:
    """``_person_changed`` on the values of ``_existing_for``."""
    if not cleaned.legal_representative_name:
        return False
    return (
        found[_AT["legal_representative_id"]] is None
        or found[_AT["legal_representative__name"]] != cleaned.legal_representative_name
        or bool(
            cleaned.legal_representative_id_number
            and found[_AT["legal_representative__id_number"]]
            != cleaned.legal_representative_id_number
        )
    )


def import_plan(*, actor: User, job: ImportJob, progress: bool = False) -> ImportPlan:
    """Read the job's file and decide every row; rows with a problem end up in ``errors``.

    The file is read as a stream of rows (``import_files.read_rows``: checked against every
    limit before it is parsed); only the cleaned rows are kept.
    """
    plan = ImportPlan()
    report = _Reporter(plan, {})

    def counted(rows: int) -> None:
        job.total_rows = rows
        if progress and not transaction.get_connection().in_atomic_block:
            ImportJob.objects.filter(pk=job.pk).update(total_rows=rows)

    with job.file.open("rb") as handle:
        raw = getattr(handle, "file", handle)
        rows = read_rows(raw, job.filename, Limits.from_settings(), counted=counted)
        try:
            header = next(rows, None)
            if header is None:
                report.add(None, "", _("文件是空的"))
                return plan
            mapping = _map_header(job.kind, header, report)
            if mapping is None:
                return plan
            lookups = Lookups.load()
            code_indexes = [
                i for i, f in mapping.items() if f in ("community_code", "authority_region_code")
            ]
            cleaned = _clean_rows(
                actor=actor,
                job=job,
                rows=_with_region_lookups(rows, lookups, code_indexes),
                mapping=mapping,
                report=report,
                lookups=lookups,
                progress=progress,
            )
        except FileRefused as refused:
            plan.errors.clear()
            report.add(None, "", refused.message)
            return plan
        finally:
            rows.close()
    plan.rows = _decide(actor=actor, plans=cleaned, report=report)
    plan.headers = report.headers
    plan.errors.sort(key=lambda e: e["row"] or 0)
    return plan


def _lookups_changed(plan: ImportPlan) -> bool:
    """Whether a region or category the cleaned rows refer to changed or went inactive."""
    regions: dict[int, tuple[str, int]] = {}
    categories: set[int] = set()
    for row in plan.rows:
        cleaned = row.cleaned
        for region in (cleaned.community, cleaned.authority_region):
            if region is not None:
                regions[region.pk] = (region.code, region.level)
        if cleaned.category is not None:
            categories.add(cleaned.category.pk)
    found: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(sorted(regions)):
        rows = Region.objects.active().filter(pk__in=chunk).values_list("pk", "code", "level")
        found.update({pk: (code, level) for pk, code, level in rows})
    active = set(
        Category.objects.filter(pk__in=sorted(categories), is_active=True).values_list(
            "pk", flat=True
        )
    )
    return found != regions or active != categories


def _redecide(*, actor: User, plan: ImportPlan) -> ImportPlan:
    """The plan's cleaned rows decided again (create / update / unchanged) against the registry."""
    fresh = ImportPlan(total_rows=plan.total_rows, headers=plan.headers)
    report = _Reporter(fresh, dict(plan.headers))
    for row in plan.rows:
        row.existing, row.action, row.person_changed = None, "create", False
    fresh.rows = _decide(actor=actor, plans=plan.rows, report=report)
    fresh.errors.sort(key=lambda e: e["row"] or 0)
    return fresh
