"""Write the generated demo registry to the database, fast: raw ``executemany`` in batches inside
one transaction, explicit ids (so the load's rows are an id range), the organisations' officers in
a second pass (their terms relative to today), then the rollups rebuilt and one audit event for
the whole load."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from npohub.core.audit import audit_record
from npohub.orgs.models import Category, Officer, Organization, Person
from npohub.orgs.rollups import rebuild_org_rollups
from npohub.orgs.search import name_pinyin
from npohub.regions.models import Region, UrbanRural

from .generator import (
    OFFICER_COLUMNS,
    ORG_COLUMNS,
    PERSON_COLUMNS,
    SIZES,
    Generator,
    Plan,
    Skeleton,
)
from .models import DemoLoad

BATCH = 5000
DIVISIONS_YEAR = 2023
DIVISIONS_EFFECTIVE = dt.date(2023, 6, 30)


class DemoError(Exception):
    """The demo cannot be loaded as asked (message in Chinese)."""


@dataclass
class LoadResult:
    load: DemoLoad
    created: bool
    plan: Plan | None = None
    regions_seconds: float = 0.0


def division_source(size: str) -> Path:
    """The division files for a size: the shipped Jinan slice, or ../shared for larger sizes."""
    if size == "city":
        return Path(__file__).resolve().parent.parent / "regions" / "data" / "divisions-3701"
    return Path(settings.SHARED_DIR) / "data" / "divisions"


def ensure_regions(size: str) -> bool:
    """Import the divisions of the size's scope unless they are there; True if imported."""
    scope = SIZES[size].scope_prefix
    if Region.objects.filter(is_active=True, level=5, code__startswith=scope).exists():
        return False
    source = division_source(size)
    if not source.exists():
        raise DemoError(f"区划文件不存在：{source}（{size} 规模需要 ../shared/data/divisions）")
    from npohub.regions.services import region_import

    region_import(
        source=source,
        layout="csv5",
        year=DIVISIONS_YEAR,
        effective_date=DIVISIONS_EFFECTIVE,
        actor=None,
        scope_prefix=scope,
    )
    return True


def load_skeleton(scope_prefix: str) -> Skeleton:
    rows = Region.objects.filter(is_active=True, code__startswith=scope_prefix).values_list(
        "id", "code", "name", "level", "urban_rural"
    )
    return Skeleton.from_rows(
        [(pk, code, name, level, ur == UrbanRural.URBAN) for pk, code, name, level, ur in rows]
    )


def _next_id(model: type[Any]) -> int:
    return int(model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _delete_loads(loads: list[DemoLoad]) -> None:
    """Remove the rows of earlier loads: what points at them first (grants, history …, through
    the ORM so their own cascades run), then the organisations and people by raw id range."""
    for load in loads:
        if load.org_id_min is not None and load.org_id_max is not None:
            in_range = {"id__gte": load.org_id_min, "id__lte": load.org_id_max}
            for rel in Organization._meta.related_objects:
                if rel.related_model is Organization:
                    continue
                related = rel.related_model._default_manager.filter(
                    **{f"{rel.field.name}__id__gte": load.org_id_min},
                    **{f"{rel.field.name}__id__lte": load.org_id_max},
                )
                if related.exists():
                    related.delete()
            orgs = Organization.objects.filter(**in_range)
            orgs.exclude(parent=None).update(parent=None)
            orgs._raw_delete(orgs.db)
        if load.person_id_min is not None and load.person_id_max is not None:
            people = (
                Person.objects.filter(id__gte=load.person_id_min, id__lte=load.person_id_max)
                .exclude(represented_organizations__isnull=False)
                .exclude(positions__isnull=False)
            )
            people._raw_delete(people.db)
        load.delete()


def load_demo(
    *,
    size: str,
    seed: int,
    scale: float = 1.0,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """Generate and insert the demo registry for ``size``; idempotent per (size, seed, scale)."""
    if size not in SIZES:
        raise DemoError(f"未知规模 {size!r}，应为 {' / '.join(SIZES)}")
    say = progress or (lambda _msg: None)
    existing = list(DemoLoad.objects.all())
    same = [x for x in existing if (x.size, x.seed, x.scale) == (size, seed, scale)]
    if same and not force:
        return LoadResult(load=same[0], created=False)
    if existing and not force:
        first = existing[0]
        raise DemoError(
            f"已加载其他演示数据（{first.size}，seed={first.seed}，scale={first.scale:g}）；"
            "使用 --force 替换"
        )
    started = time.perf_counter()
    with transaction.atomic():
        if existing:
            say(f"删除已有演示数据 {len(existing)} 批…")
            _delete_loads(existing)
    t_regions = time.perf_counter()
    if ensure_regions(size):
        say(f"区划已导入（{time.perf_counter() - t_regions:.1f} 秒）")
    regions_seconds = time.perf_counter() - t_regions
    spec = SIZES[size]
    skeleton = load_skeleton(spec.scope_prefix)
    categories = dict(Category.objects.values_list("code", "id"))
    generator = Generator(skeleton, size=size, seed=seed, scale=scale, categories=categories)
    with transaction.atomic():
        load = _insert(generator, say)
        rebuild_org_rollups()
        load.seconds = round(time.perf_counter() - started, 2)
        load.save(update_fields=["seconds"])
        plan = generator.plan
        audit_record(
            actor=None,
            kind="demo.loaded",
            target=load,
            payload={
                "size": size,
                "seed": seed,
                "scale": scale,
                "registered": load.registered,
                "filed": load.filed,
                "persons": load.persons,
                "registered_open": plan.registered_open,
                "filed_open": plan.filed_open,
                "digest": load.digest,
            },
            region_code=spec.scope_prefix.ljust(12, "0") if spec.scope_prefix else "",
        )
    return LoadResult(load=load, created=True, plan=generator.plan, regions_seconds=regions_seconds)


def _insert(generator: Generator, say: Callable[[str], None]) -> DemoLoad:
    ops = connection.ops
    org_table = ops.quote_name(Organization._meta.db_table)
    person_table = ops.quote_name(Person._meta.db_table)
    now = ops.adapt_datetimefield_value(timezone.now())
    former_names = Organization._meta.get_field("former_names").get_db_prep_save([], connection)
    person_sql = (
        f"INSERT INTO {person_table} (id, created_at, updated_at, "
        + ", ".join(PERSON_COLUMNS)
        + ") VALUES ("
        + ", ".join(["%s"] * (3 + len(PERSON_COLUMNS)))
        + ")"
    )
    org_columns: tuple[str, ...] = ("id", "created_at", "updated_at", "former_names", *ORG_COLUMNS)
    org_columns += ("legal_representative_id", "name_pinyin")
    org_sql = (
        f"INSERT INTO {org_table} ("
        + ", ".join(org_columns)
        + ") VALUES ("
        + ", ".join(["%s"] * len(org_columns))
        + ")"
    )
    date_columns = [ORG_COLUMNS.index(c) for c in ("registration_date", "status_changed_on")]
    funds_index = ORG_COLUMNS.index("registered_funds")
    name_index = ORG_COLUMNS.index("name")
    adapt_date = ops.adapt_datefield_value
    adapt_decimal = ops.adapt_decimalfield_value

    person_first = next_person = _next_id(Person)
    org_first = next_org = _next_id(Organization)
    registered = filed = 0
    person_batch: list[tuple[Any, ...]] = []
    org_batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:

        def flush() -> None:
            if person_batch:
                cursor.executemany(person_sql, person_batch)
                person_batch.clear()
            if org_batch:
                cursor.executemany(org_sql, org_batch)
                org_batch.clear()

        for chunk in generator.chunks():
            base = next_person
            for name, id_number, phone in chunk.persons:
                person_batch.append((next_person, now, now, name, id_number, phone))
                next_person += 1
            for row in chunk.orgs:
                values = list(row[:-1])
                for i in date_columns:
                    values[i] = adapt_date(values[i])
                if values[funds_index] is not None:
                    values[funds_index] = adapt_decimal(values[funds_index], 16, 2)
                ref = row[-1]
                person_id = base + ref if isinstance(ref, int) and ref >= 0 else None
                org_batch.append(
                    (
                        next_org,
                        now,
                        now,
                        former_names,
                        *values,
                        person_id,
                        name_pinyin(str(values[name_index])),
                    )
                )
                next_org += 1
                if values[0] == "community_group":
                    filed += 1
                else:
                    registered += 1
            if len(org_batch) >= BATCH:
                flush()
            say(f"{chunk.county.name}：{len(chunk.orgs)} 个组织")
        flush()
        t_officers = time.perf_counter()
        next_person, officers = _insert_officers(
            generator, cursor, range(org_first, next_org), next_person, now
        )
        say(f"负责人：{officers} 条（{time.perf_counter() - t_officers:.1f} 秒）")
        for sql in ops.sequence_reset_sql(no_style(), [Person, Organization]):
            cursor.execute(sql)
    plan = generator.plan
    return DemoLoad.objects.create(
        size=plan.size,
        seed=plan.seed,
        scale=plan.scale,
        scope_prefix=generator.spec.scope_prefix,
        registered=registered,
        filed=filed,
        persons=next_person - person_first,
        org_id_min=org_first if next_org > org_first else None,
        org_id_max=next_org - 1 if next_org > org_first else None,
        person_id_min=person_first if next_person > person_first else None,
        person_id_max=next_person - 1 if next_person > person_first else None,
        digest=plan.digest,
    )


CLOSED_STATUSES = frozenset({"deregistered", "revoked"})


def _insert_officers(
    generator: Generator, cursor: Any, org_ids: range, next_person: int, now: Any
) -> tuple[int, int]:
    """The officers of the organisations just inserted (``Generator.officers_of``), in batches:
    their new people get the ids from ``next_person`` on. Terms are relative to today. Returns
    the next free person id and the number of officer rows."""
    ops = connection.ops
    person_table = ops.quote_name(Person._meta.db_table)
    officer_table = ops.quote_name(Officer._meta.db_table)
    person_sql = (
        f"INSERT INTO {person_table} (id, created_at, updated_at, "
        + ", ".join(PERSON_COLUMNS)
        + ") VALUES ("
        + ", ".join(["%s"] * (3 + len(PERSON_COLUMNS)))
        + ")"
    )
    officer_sql = (
        f"INSERT INTO {officer_table} ("
        + ", ".join(OFFICER_COLUMNS)
        + ") VALUES ("
        + ", ".join(["%s"] * len(OFFICER_COLUMNS))
        + ")"
    )
    adapt_date = ops.adapt_datefield_value
    today = timezone.localdate()
    count = 0
    for low in range(org_ids.start, org_ids.stop, BATCH):
        window = Organization.objects.filter(id__gte=low, id__lt=min(low + BATCH, org_ids.stop))
        rows = window.order_by("id").values_list(
            "id",
            "kind",
            "address_code",
            "registration_date",
            "status",
            "status_changed_on",
            "legal_representative_id",
        )
        people: list[tuple[Any, ...]] = []
        officers: list[tuple[Any, ...]] = []
        for org_id, kind, code, registered_on, status, changed_on, leader_id in rows:
            closed_on = changed_on if status in CLOSED_STATUSES else None
            new, held = generator.officers_of(kind, code, registered_on, closed_on, today)
            base = next_person
            for name, id_number, phone in new:
                people.append((next_person, now, now, name, id_number, phone))
                next_person += 1
            for position, ref, start, end in held:
                person_id = leader_id if ref < 0 else base + ref
                if person_id is None:
                    continue
                officers.append((org_id, person_id, position, adapt_date(start), adapt_date(end)))
        if people:
            cursor.executemany(person_sql, people)
        if officers:
            cursor.executemany(officer_sql, officers)
        count += len(officers)
    return next_person, count
