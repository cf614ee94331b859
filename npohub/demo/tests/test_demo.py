"""The demo generator: deterministic, valid identifiers, realistic spread, exact rollups."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from npohub.accounts.models import Role, User
from npohub.core.models import AuditEvent
from npohub.core.validators import uscc_validate
from npohub.demo.accounts import ACCOUNTS
from npohub.demo.generator import Generator, Skeleton, community_short_name
from npohub.demo.loader import load_demo, load_skeleton
from npohub.demo.models import DemoLoad
from npohub.orgs.models import (
    CLOSED_STATUSES,
    USCC_CATEGORY_DIGIT,
    Category,
    Kind,
    Organization,
    OrganizationAccess,
    OrgRollup,
    Person,
)
from npohub.regions.codes import ancestors
from npohub.regions.models import Region
from npohub.regions.services import region_import

JINAN_SLICE = Path(__file__).resolve().parents[2] / "regions" / "data" / "divisions-3701"


def _generate(seed: int, scale: float = 0.01) -> tuple[Generator, list]:
    skeleton = load_skeleton("3701")
    categories = dict(Category.objects.values_list("code", "id"))
    gen = Generator(skeleton, size="city", seed=seed, scale=scale, categories=categories)
    chunks = list(gen.chunks())
    return gen, chunks


def _orgs(chunks) -> list[tuple]:
    return [row for chunk in chunks for row in chunk.orgs]


@pytest.fixture
def jinan_slice(db):
    import datetime as dt

    region_import(
        source=JINAN_SLICE,
        layout="csv5",
        year=2023,
        effective_date=dt.date(2023, 6, 30),
        scope_prefix="3701",
    )


def test_same_seed_gives_the_same_rows_and_another_seed_different_ones(regions):
    first, chunks1 = _generate(seed=7)
    second, chunks2 = _generate(seed=7)
    other, chunks3 = _generate(seed=8)
    names1 = [(r[1], r[3]) for r in _orgs(chunks1)]
    assert names1 == [(r[1], r[3]) for r in _orgs(chunks2)]
    assert [p for c in chunks1 for p in c.persons] == [p for c in chunks2 for p in c.persons]
    assert first.plan.digest == second.plan.digest
    assert names1 != [(r[1], r[3]) for r in _orgs(chunks3)]
    assert first.plan.digest != other.plan.digest


def test_every_uscc_and_id_number_is_valid_for_its_kind(regions):
    _, chunks = _generate(seed=1, scale=0.05)
    rows = _orgs(chunks)
    registered = [r for r in rows if r[0] != Kind.COMMUNITY_GROUP]
    assert registered
    for row in registered:
        uscc_validate(row[3], expected_category=USCC_CATEGORY_DIGIT[Kind(row[0])])
    for row in rows:
        if row[0] == Kind.COMMUNITY_GROUP:
            assert row[3] is None
    people = [p for c in chunks for p in c.persons]
    for _name, id_number, _phone in people:
        ric.validate(id_number)
    assert len({p[1] for p in people}) == len(people)


def test_registered_names_are_unique_and_group_names_unique_per_community(regions):
    _, chunks = _generate(seed=3, scale=0.05)
    rows = _orgs(chunks)
    registered = [r[1] for r in rows if r[0] != Kind.COMMUNITY_GROUP]
    assert len(set(registered)) == len(registered)
    groups = Counter((r[7], r[1]) for r in rows if r[0] == Kind.COMMUNITY_GROUP)
    assert max(groups.values()) == 1


def test_community_short_names_keep_the_place():
    assert community_short_name("解放桥社区居民委员会") == "解放桥社区"
    assert community_short_name("东岭村村民委员会") == "东岭村"
    assert community_short_name("王庄村民委员会") == "王庄村"
    assert community_short_name("英西南路社区居委会") == "英西南路社区"


def test_load_gives_exact_open_totals_urban_communities_more_and_exact_rollups(jinan_slice):
    result = load_demo(size="city", seed=1, scale=0.05)
    plan = result.plan
    assert plan is not None
    open_orgs = Organization.objects.exclude(status__in=CLOSED_STATUSES)
    assert open_orgs.registered().count() == plan.registered_open == round(6388 * 0.05)
    assert open_orgs.filed().count() == plan.filed_open == 29000 * 0.05
    assert Organization.objects.count() == result.load.registered + result.load.filed
    kinds = Counter(open_orgs.registered().values_list("kind", flat=True))
    assert kinds[Kind.ASSOCIATION] == round(plan.registered_open * 0.415)
    assert kinds[Kind.FOUNDATION] == round(plan.registered_open * 0.011)
    # Urban communities get more groups on average than rural ones.
    per = Counter(Organization.objects.filed().values_list("community_id", flat=True))
    urban = list(Region.objects.filter(level=5, urban_rural="urban").values_list("id", flat=True))
    rural = list(Region.objects.filter(level=5, urban_rural="rural").values_list("id", flat=True))
    assert sum(per[i] for i in urban) / len(urban) > 2 * sum(per[i] for i in rural) / len(rural)
    # Rollups equal the base table at every level.
    expected: Counter = Counter()
    for code, kind, status in Organization.objects.values_list("address_code", "kind", "status"):
        for _level, ancestor in ancestors(code):
            expected[(ancestor, kind, status)] += 1
    got = {(r.region_code, r.kind, r.status): r.count for r in OrgRollup.objects.all()}
    assert got == dict(expected)
    # Every stored person's ID number is valid; one audit event for the whole load.
    for id_number in Person.objects.values_list("id_number", flat=True):
        ric.validate(id_number)
    assert AuditEvent.objects.filter(kind="demo.loaded").count() == 1
    assert Organization.objects.exclude(name_initials="").count() == Organization.objects.count()


def test_load_demo_is_idempotent_and_force_replaces_the_rows(regions):
    call_command("load_demo", size="city", seed=1, scale=0.02)
    before = list(Organization.objects.order_by("id").values_list("name", "uscc"))
    call_command("load_demo", size="city", seed=1, scale=0.02)
    assert list(Organization.objects.order_by("id").values_list("name", "uscc")) == before
    assert DemoLoad.objects.count() == 1
    assert AuditEvent.objects.filter(kind="demo.loaded").count() == 1
    call_command("load_demo", size="city", seed=2, scale=0.02, force=True)
    assert DemoLoad.objects.get().seed == 2
    after = list(Organization.objects.order_by("id").values_list("name", "uscc"))
    assert after != before
    assert len(after) == len(before)
    assert Person.objects.count() == DemoLoad.objects.get().persons


def test_a_different_seed_without_force_is_refused_and_changes_nothing(regions):
    from django.core.management.base import CommandError

    call_command("load_demo", size="city", seed=1, scale=0.02)
    before = Organization.objects.count()
    with pytest.raises(CommandError):
        call_command("load_demo", size="city", seed=5, scale=0.02)
    assert Organization.objects.count() == before
    assert DemoLoad.objects.get().seed == 1


def test_demo_accounts_creates_one_user_per_role_and_is_idempotent(regions):
    call_command("load_demo", size="city", seed=1, scale=0.05)
    call_command("demo_accounts")
    users = {u.username: u for u in User.objects.all()}
    assert {a.username for a in ACCOUNTS} | {"admin"} == set(users)
    assert {u.role for name, u in users.items() if name != "admin"} == set(Role.values)
    assert users["admin"].is_superuser
    assert users["city"].is_user_admin and users["city"].scope_prefix == "3701"
    assert users["district"].scope_prefix == "370102"
    assert users["street"].region.level == 4 and users["community"].region.level == 5
    own = OrganizationAccess.objects.get(user=users["org"])
    assert own.reason == "own" and own.can_edit
    hub_grants = OrganizationAccess.objects.filter(user=users["hub"], reason="hub_member").count()
    assert hub_grants > 0
    grants = OrganizationAccess.objects.count()
    call_command("demo_accounts")
    assert User.objects.count() == len(users)
    assert OrganizationAccess.objects.count() == grants
    assert users["city"].check_password("Demo-2026!")


def test_skeleton_links_communities_to_streets_and_counties(regions):
    sk = Skeleton.from_rows(
        list(
            Region.objects.filter(code__startswith="3701")
            .values_list("id", "code", "name", "level", "urban_rural")
            .order_by("code")
            .all()
        )
    )
    assert [c.code for c in sk.counties] == ["370102000000", "370114000000"]
    assert all(c.parent is not None and c.parent.level == 4 for c in sk.communities)


@pytest.mark.django_db
def test_the_full_city_size_has_the_seed_figures(jinan_slice):
    result = load_demo(size="city", seed=1)
    open_orgs = Organization.objects.exclude(status__in=CLOSED_STATUSES)
    assert open_orgs.registered().count() == 6388
    assert open_orgs.filed().count() == 29000
    assert result.plan is not None and result.plan.urban_average >= 15
