"""Registry search gives exactly what a brute-force filter gives, on every path and engine.

The brute force below is written independently of ``npohub.orgs.search``: an organisation
matches a query when every whitespace-separated term is an ASCII-case-insensitive substring of
its name, of one of its former names, or of the pinyin initials of one of them; or, for a term
that looks like a USCC prefix, when its USCC starts with the term (any case).
"""

from __future__ import annotations

import random
import re

import pytest
from django.db import connection

from npohub.orgs.models import Organization
from npohub.orgs.search import TRIGRAM_MIN, apply_search, name_initials
from npohub.orgs.selectors import organization_visible_to
from npohub.orgs.services import organization_update
from npohub.orgs.tests.factories import CommunityGroupFactory, OrganizationFactory, make_uscc
from npohub.orgs.validation import OrganizationInput

pytestmark = pytest.mark.django_db

PLACES = ["历下区", "章丘区", "解放桥社区", "千佛山", "济南市", "青岛市南区", "明水街道"]
FIELDS = ["养老服务", "志愿服务", "文化艺术", "书法", "老年人", "社区营造", "养生", "NGO发展"]
FORMS = ["协会", "促进会", "服务中心", "联合会", "舞蹈队", "合唱团", "研究会"]

QUERIES = {
    1: ["会", "养", "老", "队", "a", "N", "j", "9", "%", "_", "-", "（"],
    2: [
        "养老",
        "历下",
        "协会",
        "志愿",
        "ng",
        "jn",
        "lx",
        "51",
        "老年",
        "区养",
        "社区",
        '"x',
        "o发",
        "a-",
        "会\\",
    ],
    3: ["养老服", "舞蹈队", "jns", "ngo", "NGO", "lxq", "区养老", "513", "营造促", "a%b", "会 "],
    4: ["养老服务", "济南市民", "jnsm", "ylfw", "5137", "5213", "千佛山社", "社区营造"],
    "mixed": ["历下 养老", "养老 服务中心", "jn 协会", "5137 养老", "lxq ngo", "青岛 养老 会"],
}


def _fold(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def _brute(org: Organization, query: str) -> bool:
    former = [
        entry["name"] if isinstance(entry, dict) else entry for entry in (org.former_names or [])
    ]
    haystacks = [_fold(n) for n in [org.name, *former] if n]
    haystacks += [_fold(p) for p in org.name_initials.split(" ") if p]
    for term in query.split():
        needle = _fold(term)
        ok = any(needle in h for h in haystacks)
        uscc_like = re.fullmatch(r"[0-9A-HJ-NP-RTUW-Y]{2,18}", term.upper()) and re.search(
            r"\d", term
        )
        if not ok and uscc_like and org.uscc:
            ok = org.uscc.startswith(term.upper())
        if not ok:
            return False
    return True


def _ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


@pytest.fixture
def corpus(orgs, regions):
    """About 80 organisations with repeated fields, former names, ASCII names and initials."""
    rng = random.Random(20240501)
    communities = [regions["c_jfq1"], regions["c_jfq2"], regions["c_qfs1"], regions["qd_comm"]]
    created = list(orgs.values())
    for i in range(80):
        name = (
            rng.choice(PLACES)
            + rng.choice(FIELDS)
            + rng.choice(FORMS)
            + (f"{i}" if i % 7 == 0 else "")
        )
        former: list = []
        if i % 5 == 0:
            former = [{"name": rng.choice(PLACES) + rng.choice(FIELDS) + "筹备组", "until": "2020"}]
        if i % 17 == 0:
            former.append("旧称" + rng.choice(FIELDS) + "社")  # a bare string entry also counts
        initials = name_initials(name, *[f["name"] if isinstance(f, dict) else f for f in former])
        community = rng.choice(communities)
        if i % 3 == 0:
            org = CommunityGroupFactory(
                name=name, former_names=former, name_initials=initials, community=community
            )
        else:
            division = "370102" if i % 2 else "370114"
            org = OrganizationFactory(
                name=name,
                former_names=former,
                name_initials=initials,
                community=community,
                uscc=make_uscc("1" if i % 4 else "2", division, 900_000 + i),
            )
        created.append(org)
    # fixtures from the root conftest have no initials: fill them as the services would
    for org in orgs.values():
        Organization.objects.filter(pk=org.pk).update(name_initials=name_initials(org.name))
    return created


def _all_queries() -> list[str]:
    return [q for group in QUERIES.values() for q in group]


@pytest.mark.parametrize("query", _all_queries())
def test_search_returns_exactly_what_a_brute_force_filter_returns(corpus, query):
    everything = list(Organization.objects.all())
    expected = {org.pk for org in everything if _brute(org, query)}
    assert _ids(apply_search(Organization.objects.all(), query)) == expected


def test_the_test_queries_hit_something_on_each_length(corpus):
    everything = list(Organization.objects.all())
    for length in (1, 2, 3, 4):
        hits = [q for q in QUERIES[length] if any(_brute(o, q) for o in everything)]
        assert len(hits) >= len(QUERIES[length]) // 2, (length, hits)


@pytest.mark.parametrize("query", ["养老", "协会", "社区", "志愿"])
def test_two_character_queries_count_the_same_as_a_like_scan(corpus, query):
    # No former name or initials carry these words beyond the names, so a LIKE on the name and
    # the former names' text is the reference count.
    like = [
        o
        for o in Organization.objects.all()
        if query in o.name
        or any(query in (f["name"] if isinstance(f, dict) else f) for f in o.former_names)
    ]
    assert apply_search(Organization.objects.all(), query).count() == len(like) > 0


def test_short_terms_never_reach_the_trigram_index(corpus):
    short_sql = str(apply_search(Organization.objects.all(), "养老").query)
    long_sql = str(apply_search(Organization.objects.all(), "养老服").query)
    if connection.vendor == "sqlite":
        assert "orgs_search_fts" not in short_sql
        assert "orgs_search_bi" in short_sql
        assert "orgs_search_fts" in long_sql
    else:
        assert " LIKE " not in short_sql
        assert " LIKE " in long_sql
    assert TRIGRAM_MIN == 3


def test_search_stays_inside_the_scope_it_is_given(corpus, cast):
    for user in ("district", "street", "district_out", "org_user", "resident"):
        visible = organization_visible_to(cast[user])
        for query in ("协会", "养老服务", "jn", "5137"):
            expected = {o.pk for o in visible if _brute(o, query)}
            assert _ids(apply_search(visible, query)) == expected


def test_search_composes_with_filters_and_ordering(corpus):
    qs = Organization.objects.filter(kind="community_group").order_by("name", "pk")
    got = list(apply_search(qs, "服务").values_list("pk", flat=True))
    expected = sorted((o for o in qs if _brute(o, "服务")), key=lambda o: (o.name, o.pk))
    assert got == [o.pk for o in expected]


def test_uscc_prefix_search_is_case_insensitive_and_uses_the_prefix(orgs):
    uscc = orgs["assoc"].uscc
    assert uscc
    for prefix in (uscc[:4], uscc[:10], uscc, uscc[:12].lower()):
        assert orgs["assoc"].pk in _ids(apply_search(Organization.objects.all(), prefix))
    assert not _ids(apply_search(Organization.objects.all(), uscc[1:8] + "ZZ"))


def test_pinyin_initials_find_an_organisation_by_a_substring_of_its_initials(cast, regions):
    org = OrganizationFactory(
        name="济南市民政局养老服务指导中心",
        community=regions["c_jfq1"],
        name_initials=name_initials("济南市民政局养老服务指导中心"),
    )
    for query in ("jnsmz", "JNSMZJ", "ylfw", "jn"):
        assert org.pk in _ids(apply_search(Organization.objects.all(), query)), query
    assert org.pk not in _ids(apply_search(Organization.objects.all(), "jnsx"))


def test_a_rename_keeps_the_old_name_findable_and_finds_the_new_one(orgs, cast):
    org = orgs["assoc"]
    organization_update(
        actor=cast["admin"],
        org=org,
        data=OrganizationInput(
            kind="association",
            name="历下区颐养服务协会",
            uscc=org.uscc,
            category_code="volunteer",
            authority_region_code="370102",
            community_code=org.community.code,
            address="济南市历下区解放路1号",
            supervisory_unit="济南市历下区民政局",
            purpose="服务社区",
            business_scope="志愿服务",
            activity_area="历下区",
            legal_representative_name=org.legal_representative.name,
            registered_funds="30000",
            registration_date="2020-05-01",
        ),
    )
    for query in ("颐养服务", "颐养", "养老服务协会", "养老", "lxqyyfwxh"):
        assert org.pk in _ids(apply_search(Organization.objects.all(), query)), query


def test_writes_that_bypass_the_services_still_update_the_index(orgs):
    org = orgs["group"]
    Organization.objects.filter(pk=org.pk).update(name="解放桥社区太极拳队")
    assert org.pk in _ids(apply_search(Organization.objects.all(), "太极拳"))
    assert org.pk in _ids(apply_search(Organization.objects.all(), "太极"))
    assert org.pk not in _ids(apply_search(Organization.objects.all(), "舞蹈队"))
    org_pk = org.pk
    Organization.objects.filter(pk=org_pk).delete()
    assert not _ids(apply_search(Organization.objects.all(), "太极拳"))
    assert not _ids(apply_search(Organization.objects.all(), "太极"))


def test_an_empty_query_changes_nothing_and_special_characters_are_literal(corpus):
    assert _ids(apply_search(Organization.objects.all(), "   ")) == _ids(Organization.objects.all())
    for query in ('"', '""', "%%", "\\", "养老*", "NEAR(a b)", "a OR b"):
        expected = {o.pk for o in Organization.objects.all() if _brute(o, query)}
        assert _ids(apply_search(Organization.objects.all(), query)) == expected
