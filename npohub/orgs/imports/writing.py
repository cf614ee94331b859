"""Writing a decided plan in bulk: people, new organisations (with their pinyin initials),
updates with former names, region roll-ups, audit events and field changes, the job done.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from typing import Any

from django.utils import timezone
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg import mmseg

from npohub.accounts.models import User
from npohub.core.audit import actor_label_for, audit_record
from npohub.core.models import AuditEvent
from npohub.regions.codes import ancestors

from .. import bulk
from ..models import (
    FieldChange,
    ImportJob,
    ImportStatus,
    Organization,
    OrgRollup,
    Person,
)
from ..search import name_initials, name_pinyin
from ..services import TRACKED_FIELDS, organization_snapshot
from .plan import _desired_values
from .rows import CENTS, ImportPlan, RowPlan, _chunks

# A run of characters that have pinyin (pypinyin segments and converts each run on its own).
_HAN_RUN = re.compile(RE_HANS.pattern.removeprefix("^").removesuffix("$"))


@functools.lru_cache(maxsize=50_000)
def _word_initials(word: str) -> str:
    return "".join(s[0] for s in lazy_pinyin(word, style=Style.NORMAL, errors="ignore") if s)


@functools.lru_cache(maxsize=50_000)
def _run_initials(run: str) -> str:
    """pypinyin cuts a run into dictionary phrases and single characters (greedy longest match,
    ``mmseg.seg``) and converts each piece on its own: the initials of a run are those of its
    pieces, and the pieces ("解放桥", "社区", "舞蹈队") repeat across a file far more than runs."""
    return "".join(map(_word_initials, mmseg.seg.cut(run)))


def fast_name_initials(name: str) -> str:
    """``search.name_initials`` of one name, with the pinyin of each piece of each run of Chinese
    characters remembered: group names repeat the same pieces ("解放桥社区" + "舞蹈队")."""
    return "".join(_run_initials(run) for run in _HAN_RUN.findall(name)).lower()


def _persons_to_create(plan: ImportPlan, now: dt.datetime) -> dict[int, int]:
    """Row → Person id for each row that needs a person; new people are inserted in bulk."""
    by_row: dict[int, int] = {}
    new_rows: list[tuple[Any, ...]] = []
    new_for_row: dict[int, int] = {}  # row → index into new_rows
    by_id: dict[str, int] = {k: p.pk for k, p in plan.persons_by_id.items()}
    new_by_id: dict[str, int] = {}
    for row in plan.rows:
        cleaned = row.cleaned
        if not cleaned.legal_representative_name:
            continue
        if row.action == "unchanged" or (row.action == "update" and not row.person_changed):
            continue
        id_number = cleaned.legal_representative_id_number
        if id_number and id_number in by_id:
            by_row[row.row] = by_id[id_number]
            continue
        if id_number and id_number in new_by_id:
            new_for_row[row.row] = new_by_id[id_number]
            continue
        index = len(new_rows)
        new_rows.append(
            (
                now,
                now,
                cleaned.legal_representative_name,
                id_number,
                cleaned.legal_representative_phone,
            )
        )
        new_for_row[row.row] = index
        if id_number:
            new_by_id[id_number] = index
    ids = bulk.insert_rows(Person, PERSON_FIELDS, new_rows)
    for row_number, index in new_for_row.items():
        by_row[row_number] = ids[index]
    return by_row


PERSON_FIELDS = ("created_at", "updated_at", "name", "id_number", "phone")


EVENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "on_behalf_of",
    "on_behalf_of_ref",
    "kind",
    "target_type",
    "target_id",
    "target_label",
    "organization_id",
    "region_code",
    "payload",
)


CHANGE_FIELDS = (
    "organization_id",
    "field",
    "old_value",
    "new_value",
    "changed_at",
    "audit_event_id",
)


# The columns a new organisation takes from its row; every other column gets its default.
NEW_ORG_FIELDS = (
    "kind",
    "name",
    "name_initials",
    "name_pinyin",
    "uscc",
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
    "phone",
)


def _new_org_rows(creates: list[RowPlan], persons: dict[int, int]) -> list[tuple[Any, ...]]:
    """The column values of each new organisation, in ``NEW_ORG_FIELDS`` order
    (the same values as ``_desired_values``, without building a dict per row)."""
    rows = []
    for row in creates:
        c = row.cleaned
        funds = c.registered_funds
        rows.append(
            (
                c.kind,
                c.name,
                fast_name_initials(c.name),
                name_pinyin(c.name),
                c.uscc,
                c.category.pk if c.category else None,
                c.management_level,
                c.authority_region.pk if c.authority_region else None,
                c.community.pk if c.community else None,
                c.address_code,
                c.address,
                c.supervisory_unit,
                persons.get(row.row),
                funds.quantize(CENTS) if funds is not None else None,
                c.foundation_type,
                c.certificate_form,
                c.is_charity,
                c.purpose,
                c.business_scope,
                c.activity_area,
                c.registration_date,
                c.status,
                c.phone,
            )
        )
    return rows


def _rollup_deltas(deltas: Counter[tuple[str, str, str]]) -> None:
    """Apply aggregated count changes to every region above each address, in bulk."""
    by_region: Counter[tuple[str, int, str, str]] = Counter()
    for (address_code, kind, status), delta in deltas.items():
        if not address_code or not delta:
            continue
        for level, code in ancestors(address_code):
            by_region[(code, level, kind, status)] += delta
    codes = sorted({key[0] for key in by_region})
    current: dict[tuple[str, str, str], OrgRollup] = {}
    for chunk in _chunks(codes):
        for rollup in OrgRollup.objects.filter(region_code__in=chunk):
            current[(rollup.region_code, rollup.kind, rollup.status)] = rollup
    changed: list[OrgRollup] = []
    created: list[OrgRollup] = []
    for (code, level, kind, status), delta in by_region.items():
        if not delta:
            continue
        found = current.get((code, kind, status))
        if found is None:
            created.append(
                OrgRollup(region_code=code, level=level, kind=kind, status=status, count=delta)
            )
        else:
            found.count += delta
            changed.append(found)
    OrgRollup.objects.bulk_update(changed, ["count"], batch_size=500)
    OrgRollup.objects.bulk_create(created, batch_size=2000)


UPDATE_FIELDS = [
    *[f for f in TRACKED_FIELDS if f not in ("status", "status_changed_on")],
    "former_names",
    "name_initials",
    "name_pinyin",
    "updated_at",
]


def _insert_org_events(rows: list[tuple[Any, ...]]) -> list[int]:
    """The per-organisation audit events (created / updated), in bulk; their ids in order."""
    return bulk.insert_rows(AuditEvent, EVENT_FIELDS, rows)


def _write(*, actor: User, job: ImportJob, plan: ImportPlan) -> None:
    now = timezone.now()
    persons = _persons_to_create(plan, now)
    creates = [r for r in plan.rows if r.action == "create"]
    updates = [r for r in plan.rows if r.action == "update"]
    org_rows = _new_org_rows(creates, persons)
    with bulk.search_index_deferred() as search_index:
        new_ids = bulk.insert_rows(
            Organization,
            NEW_ORG_FIELDS,
            org_rows,
            constants={"created_at": now, "updated_at": now, "former_names": []},
        )
        search_index.inserted(new_ids)
    address_at = NEW_ORG_FIELDS.index("address_code")
    kind_at, status_at = NEW_ORG_FIELDS.index("kind"), NEW_ORG_FIELDS.index("status")
    deltas: Counter[tuple[str, str, str]] = Counter(
        (r[address_at], r[kind_at], r[status_at]) for r in org_rows
    )
    befores: list[tuple[Organization, dict[str, Any]]] = []
    for row in updates:
        org = row.existing
        assert org is not None
        before = organization_snapshot(org)
        old_name, old_code = org.name, org.address_code
        for name, value in _desired_values(row.cleaned).items():
            setattr(org, name, value)
        if row.person_changed:
            org.legal_representative_id = persons.get(row.row)
        if org.name != old_name:
            org.former_names = [
                *org.former_names,
                {"name": old_name, "until": timezone.localdate().isoformat()},
            ]
        former = [e["name"] for e in org.former_names if isinstance(e, dict) and "name" in e]
        org.name_initials = name_initials(org.name, *former)
        org.name_pinyin = name_pinyin(org.name)
        org.updated_at = now
        if old_code != org.address_code:
            deltas[(old_code, org.kind, org.status)] -= 1
            deltas[(org.address_code, org.kind, org.status)] += 1
        befores.append((org, before))
    Organization.objects.bulk_update([o for o, _ in befores], UPDATE_FIELDS, batch_size=500)
    _rollup_deltas(deltas)

    summary = plan.summary
    audit_record(
        actor=actor,
        kind="orgs.import_committed",
        target=job,
        payload={"filename": job.filename, "import_kind": job.kind, **summary},
    )
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    label = actor_label_for(actor)[:150]
    ref = {"import_job": job.pk}
    name_at = NEW_ORG_FIELDS.index("name")
    events: list[tuple[Any, ...]] = [
        (
            now,
            actor_id,
            label,
            "",
            "",
            "orgs.organization_created",
            "orgs.organization",
            str(pk),
            r[name_at][:200],
            pk,
            r[address_at],
            ref,
        )
        for pk, r in zip(new_ids, org_rows, strict=True)
    ]
    changes_by_org = []
    for org, before in befores:
        after = organization_snapshot(org)
        changes = {k: [before[k], after[k]] for k in TRACKED_FIELDS if before[k] != after[k]}
        events.append(
            (
                now,
                actor_id,
                label,
                "",
                "",
                "orgs.organization_updated",
                "orgs.organization",
                str(org.pk),
                org.name[:200],
                org.pk,
                org.address_code,
                {**ref, "fields": sorted(changes)},
            )
        )
        changes_by_org.append((org, changes))
    event_ids = _insert_org_events(events)
    update_event_ids = event_ids[len(new_ids) :]
    bulk.insert_rows(
        FieldChange,
        CHANGE_FIELDS,
        [
            (org.pk, name, old, new, now, event_id)
            for (org, changes), event_id in zip(changes_by_org, update_event_ids, strict=True)
            for name, (old, new) in changes.items()
        ],
    )
    job.status = ImportStatus.DONE
    job.summary = summary
    job.finished_at = now
    job.processed_rows = plan.total_rows
    job.message = ""
    job.worker = ""
    job.save(
        update_fields=["status", "summary", "finished_at", "processed_rows", "message", "worker"]
    )
