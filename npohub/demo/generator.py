"""Deterministic demo registry over real division codes (performance.md §1.5, §7.1).

Pure generation: it reads a :class:`Skeleton` (regions as plain data) and yields, county by
county, the people and organisations to insert. Same skeleton + size + seed + scale → the same
rows in the same order. Only ``random.Random(seed)`` and sorted inputs are used; the reference
date is fixed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from npohub.orgs.search import name_initials

from . import vocab
from .identifiers import IdNumberAllocator, UsccAllocator

REFERENCE_DATE = dt.date(2026, 6, 30)


@dataclass(frozen=True)
class SizeSpec:
    """Open (not deregistered/revoked) counts; closed rows are generated on top."""

    scope_prefix: str
    registered: int
    filed: int
    # Share of registered organisations per registering level.
    levels: tuple[tuple[str, float], ...]


SIZES: dict[str, SizeSpec] = {
    "city": SizeSpec("3701", 6_388, 29_000, (("city", 0.22), ("county", 0.78))),
    "province": SizeSpec(
        "37", 55_000, 270_000, (("provincial", 0.06), ("city", 0.24), ("county", 0.70))
    ),
    "national": SizeSpec(
        "",
        900_000,
        3_000_000,
        (("national", 0.0025), ("provincial", 0.06), ("city", 0.24), ("county", 0.6975)),
    ),
}

# Kind split of registered organisations, end 2022 (performance.md §1.1).
KIND_SHARES = (("association", 0.415), ("foundation", 0.011))  # social_service: the rest
CLOSED_SHARE_REGISTERED = 0.055  # deregistered + revoked, on top of the open count
CLOSED_SHARE_FILED = 0.04
ABNORMAL_SHARE = 0.025
SUSPENDED_SHARE = 0.003
URBAN_TARGET_AVERAGE = 16.5  # Jinan plan: ≥15 per urban community; a little above on average
URBAN_MAX_SHARE = 0.6  # …but urban communities never take more than 60 % of all filings
MIN_URBAN_RURAL_RATIO = 3.0  # urban communities get about 3× the filings (§7.1)

MANAGEMENT_LEVEL = {
    "national": "national",
    "provincial": "provincial",
    "city": "city",
    "county": "county",
}
DIRECT_REGISTRATION = frozenset(
    {"charity", "trade_association", "science_technology", "community_service"}
)
ORG_COLUMNS = (
    "kind",
    "name",
    "name_initials",
    "uscc",
    "category_id",
    "management_level",
    "authority_region_id",
    "community_id",
    "address_code",
    "address",
    "supervisory_unit",
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
PERSON_COLUMNS = ("name", "id_number", "phone")
OFFICER_COLUMNS = ("organization_id", "person_id", "position", "start_date", "end_date")
# The officers of each kind besides its legal representative (who also chairs the council, or
# leads a community group): (position, share of organisations that have one).
OFFICER_SHAPES: dict[str, tuple[tuple[str, float], ...]] = {
    "association": (("vice_chair", 0.7), ("secretary_general", 1.0), ("supervisor", 0.8)),
    "foundation": (("vice_chair", 0.5), ("secretary_general", 1.0), ("supervisor", 1.0)),
    "social_service": (("principal", 0.9), ("supervisor", 0.7)),
    "community_group": (),
}
LEADER_POSITIONS: dict[str, tuple[str, ...]] = {
    "community_group": ("principal",),
}
DEFAULT_LEADER_POSITIONS = ("legal_representative", "chair")
TERM_DAYS = 5 * 365  # a council's term (社会团体理事会每届不超过5年)
FORMER_SHARE = 0.25  # registered organisations showing the previous term's secretary too
OPEN_STATUSES = ("active", "abnormal", "suspended")

_SPECIAL_CITY_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass
class Place:
    id: int
    code: str
    name: str
    level: int
    urban: bool = False
    parent: Place | None = None
    short: str = ""
    children: list[Place] = field(default_factory=list)


@dataclass
class Skeleton:
    """Regions of the scope, sorted by code, linked parent ↔ children."""

    provinces: list[Place]
    cities: list[Place]
    counties: list[Place]
    streets: list[Place]
    communities: list[Place]

    @classmethod
    def from_rows(cls, rows: list[tuple[int, str, str, int, bool]]) -> Skeleton:
        """Build from (id, 12-digit code, name, level, is_urban) rows of active regions."""
        by_code: dict[str, Place] = {}
        levels: dict[int, list[Place]] = {1: [], 2: [], 3: [], 4: [], 5: []}
        digits = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
        for pk, code, name, level, urban in sorted(rows, key=lambda r: r[1]):
            place = Place(pk, code, name, level, urban)
            by_code[code[: digits[level]]] = place
            levels[level].append(place)
        for level in (2, 3, 4, 5):
            for place in levels[level]:
                up = level - 1
                parent = by_code.get(place.code[: digits[up]])
                # A county directly under a province (省直辖县) has no city row: skip a level.
                while parent is None and up > 1:
                    up -= 1
                    parent = by_code.get(place.code[: digits[up]])
                place.parent = parent
                if parent is not None:
                    parent.children.append(place)
        for place in levels[5]:
            place.short = community_short_name(place.name)
        for place in levels[3]:
            place.short = county_short_name(place.name)
        for place in levels[2]:
            place.short = place.name
            if place.name in _SPECIAL_CITY_NAMES and place.parent is not None:
                place.short = place.parent.name
        for place in levels[4]:
            place.short = place.name
        # Only counties that have communities take part (development zones without any do not).
        counties = [c for c in levels[3] if any(s.children for s in c.children)]
        communities = [
            c
            for c in levels[5]
            if c.parent is not None
            and c.parent.level == 4
            and c.parent.parent is not None
            and c.parent.parent.level == 3
        ]
        return cls(levels[1], levels[2], counties, levels[4], communities)

    def city_of(self, county: Place) -> Place | None:
        p = county.parent
        return p if p is not None and p.level == 2 else None

    def province_of(self, place: Place) -> Place | None:
        p: Place | None = place
        while p is not None and p.level > 1:
            p = p.parent
        return p


def community_short_name(name: str) -> str:
    """解放桥社区居民委员会 → 解放桥社区; 东岭村村民委员会 → 东岭村; 王庄村民委员会 → 王庄村."""
    for suffix, kind in (
        ("类似居委会", "社区"),
        ("类似村委会", "村"),
        ("居民委员会", "社区"),
        ("村民委员会", "村"),
        ("居委会", "社区"),
        ("村委会", "村"),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            return base if base.endswith(kind) else base + kind
    return name


def county_short_name(name: str) -> str:
    for long, short in (("高新技术产业开发区", "高新区"), ("经济技术开发区", "经开区")):
        if name.endswith(long) and len(name) > len(long):
            return name[: -len(long)] + short
    return name


def allocate(weights: list[float], total: int) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder, ties by index)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    s = sum(weights)
    if s <= 0:
        weights, s = [1.0] * len(weights), float(len(weights))
    exact = [w * total / s for w in weights]
    counts = [math.floor(x) for x in exact]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


class Deck:
    """Draw labels without replacement so that the totals come out exact."""

    def __init__(self, counts: list[tuple[str, int]]) -> None:
        self.counts = [[label, n] for label, n in counts if n > 0]
        self.remaining = sum(n for _, n in self.counts)

    def draw(self, rng: random.Random) -> str:
        if self.remaining <= 0:
            raise ValueError("deck is empty")
        r = rng.randrange(self.remaining)
        for entry in self.counts:
            if r < entry[1]:
                entry[1] -= 1
                self.remaining -= 1
                return str(entry[0])
            r -= entry[1]
        raise AssertionError("unreachable")


def _scaled(n: int, scale: float) -> int:
    return max(1, round(n * scale)) if n else 0


@dataclass
class Chunk:
    """What to insert for one county: people first, then organisations referring to them."""

    county: Place
    persons: list[tuple[str, str, str]]
    # ORG_COLUMNS values + the index of the legal representative in ``persons`` (or -1).
    orgs: list[tuple[object, ...]]


@dataclass
class Plan:
    size: str
    seed: int
    scale: float
    registered_open: int
    registered_closed: int
    filed_open: int
    filed_closed: int
    urban_average: float
    rural_average: float
    digest: str = ""


class Generator:
    """Iterate :meth:`chunks` once; then :attr:`plan` holds the totals and the digest."""

    def __init__(
        self,
        skeleton: Skeleton,
        *,
        size: str,
        seed: int,
        scale: float = 1.0,
        categories: dict[str, int],
    ) -> None:
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}")
        if not skeleton.communities:
            raise ValueError("no communities in scope: load the divisions first")
        self.skeleton = skeleton
        self.spec = SIZES[size]
        self.categories = categories
        self.rng = random.Random(f"npohub-demo:{size}:{seed}:{scale}")
        self.local_brands = vocab.JINAN_BRANDS if self.spec.scope_prefix == "3701" else ()
        self._initials: dict[str, str] = {}
        self._names: set[str] = set()
        self._digest = hashlib.sha256()
        reg_open = _scaled(self.spec.registered, scale)
        filed_open = _scaled(self.spec.filed, scale)
        self.plan = Plan(
            size=size,
            seed=seed,
            scale=scale,
            registered_open=reg_open,
            registered_closed=round(reg_open * CLOSED_SHARE_REGISTERED),
            filed_open=filed_open,
            filed_closed=round(filed_open * CLOSED_SHARE_FILED),
            urban_average=0.0,
            rural_average=0.0,
        )
        # The officers' pass (``officers_of``) draws from its own stream: the registry rows, and
        # their digest, are the same with or without it.
        self.officer_rng = random.Random(f"npohub-demo-officers:{size}:{seed}:{scale}")
        self.usccs = UsccAllocator(self.rng.randrange(10**9))
        self.id_numbers = IdNumberAllocator(self.rng.randrange(10**9))
        self._plan_communities()
        self._plan_registered()

    # --- planning -----------------------------------------------------------------------------
    def _plan_communities(self) -> None:
        rng = self.rng
        sk = self.skeleton
        street_factor = {s.code: rng.lognormvariate(0, 0.4) for s in sk.streets}
        weights = []
        for c in sk.communities:
            w = street_factor.get(c.parent.code if c.parent else "", 1.0)
            w *= rng.lognormvariate(0, 0.45)
            if c.urban and rng.random() < 0.008:
                w *= 3.0  # a few hot communities with 50+ groups
            weights.append(w)
        self.community_weight = {c.code: w for c, w in zip(sk.communities, weights, strict=True)}
        n_u = sum(1 for c in sk.communities if c.urban)
        n_r = len(sk.communities) - n_u
        total = self.plan.filed_open + self.plan.filed_closed
        if n_u and n_r:
            at_ratio = total / (n_u + n_r / MIN_URBAN_RURAL_RATIO)
            urban_avg = max(at_ratio, min(URBAN_TARGET_AVERAGE, URBAN_MAX_SHARE * total / n_u))
            urban_total = min(total, round(urban_avg * n_u))
        else:
            urban_total = total if n_u else 0
        rural_total = total - urban_total
        su = sum(w for c, w in zip(sk.communities, weights, strict=True) if c.urban) or 1.0
        sr = sum(w for c, w in zip(sk.communities, weights, strict=True) if not c.urban) or 1.0
        scaled = [
            w * (urban_total / su if c.urban else rural_total / sr)
            for c, w in zip(sk.communities, weights, strict=True)
        ]
        counts = allocate(scaled, total)
        self.groups_per_community = {c.code: n for c, n in zip(sk.communities, counts, strict=True)}
        self.plan.urban_average = urban_total / n_u if n_u else 0.0
        self.plan.rural_average = rural_total / n_r if n_r else 0.0

    def _plan_registered(self) -> None:
        sk = self.skeleton
        county_weight: dict[str, float] = {}
        self.county_communities: dict[str, tuple[list[Place], list[float]]] = {}
        for county in sk.counties:
            comms = [c for s in county.children for c in s.children]
            ws = [(3.0 if c.urban else 1.0) * self.community_weight[c.code] for c in comms]
            cum, acc = [], 0.0
            for w in ws:
                acc += w
                cum.append(acc)
            self.county_communities[county.code] = (comms, cum)
            urban_frac = sum(1 for c in comms if c.urban) / len(comms)
            county_weight[county.code] = (
                acc * self.rng.lognormvariate(0, 0.25) * (0.5 + 2 * urban_frac)
            )
        keys: list[tuple[str, str]] = []
        weights: list[float] = []
        for level, share in self.spec.levels:
            bias = {}
            for county in sk.counties:
                b = 1.0
                if level == "provincial" and county.code[2:4] == "01":
                    b = 4.0
                elif level == "national" and county.code.startswith("11"):
                    b = 20.0
                bias[county.code] = county_weight[county.code] * b
            total_bias = sum(bias.values()) or 1.0
            for county in sk.counties:
                keys.append((county.code, level))
                weights.append(share * bias[county.code] / total_bias)
        total = self.plan.registered_open + self.plan.registered_closed
        counts = allocate(weights, total)
        self.registered_per: dict[str, list[tuple[str, int]]] = {}
        for (code, level), n in zip(keys, counts, strict=True):
            self.registered_per.setdefault(code, []).append((level, n))
        ro, rc = self.plan.registered_open, self.plan.registered_closed
        self.status_deck = Deck(
            [
                ("abnormal", round(ro * ABNORMAL_SHARE)),
                ("suspended", round(ro * SUSPENDED_SHARE)),
                ("active", ro - round(ro * ABNORMAL_SHARE) - round(ro * SUSPENDED_SHARE)),
                ("deregistered", round(rc * 0.72)),
                ("revoked", rc - round(rc * 0.72)),
            ]
        )
        self.kind_decks = {
            "open": Deck(self._kind_counts(ro)),
            "closed": Deck(self._kind_counts(rc)),
        }
        fo, fc = self.plan.filed_open, self.plan.filed_closed
        self.group_status_deck = Deck(
            [
                ("abnormal", round(fo * 0.01)),
                ("active", fo - round(fo * 0.01)),
                ("deregistered", fc),
            ]
        )

    @staticmethod
    def _kind_counts(n: int) -> list[tuple[str, int]]:
        counts = [(kind, round(n * share)) for kind, share in KIND_SHARES]
        return [*counts, ("social_service", n - sum(c for _, c in counts))]

    # --- helpers -----------------------------------------------------------------------------
    def initials(self, *parts: str) -> str:
        out = []
        for part in parts:
            if part not in self._initials:
                self._initials[part] = name_initials(part)
            out.append(self._initials[part])
        return "".join(out)

    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        span = (end - start).days
        return start + dt.timedelta(days=self.rng.randint(0, max(span, 0)))

    def _registration_date(self) -> dt.date:
        rng = self.rng
        years = list(range(1995, 2027))
        weights = [
            1.0
            if y <= 2005
            else 2.0
            if y <= 2012
            else 4.0
            if y <= 2019
            else 3.5
            if y < 2026
            else 1.5
            for y in years
        ]
        year = rng.choices(years, weights)[0]
        end = REFERENCE_DATE if year == 2026 else dt.date(year, 12, 31)
        return self._date_between(dt.date(year, 1, 1), end)

    def _filing_date(self) -> dt.date:
        years = list(range(2012, 2027))
        weights = [1, 1, 1.5, 1.5, 2, 2, 3, 3, 4, 8, 9, 8, 5, 4, 2]
        year = self.rng.choices(years, weights)[0]
        end = REFERENCE_DATE if year == 2026 else dt.date(year, 12, 31)
        return self._date_between(dt.date(year, 1, 1), end)

    def _status_date(self, status: str, registered: dt.date) -> dt.date | None:
        if status == "active":
            return None
        if status in ("deregistered", "revoked"):
            start = min(registered + dt.timedelta(days=180), REFERENCE_DATE)
        else:
            start = max(registered, dt.date(2023, 1, 1))
        return self._date_between(start, REFERENCE_DATE)

    def _person(self, county: Place) -> tuple[str, str, str]:
        rng = self.rng
        surname = rng.choice(vocab.SURNAMES)
        given = "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))
        return (surname + given, self.id_numbers.issue(county.code[:6]), self._mobile())

    def _mobile(self) -> str:
        rng = self.rng
        prefix = rng.choice(("13", "15", "18", "17", "19"))
        return f"{prefix}{rng.randrange(10)}{rng.randrange(10**8):08d}"

    def _org_phone(self, county: Place) -> str:
        if county.code.startswith("3701"):
            return f"0531-{self.rng.choice('5678')}{self.rng.randrange(10**7):07d}"
        return self._mobile()

    def _pick_community(self, county: Place) -> Place:
        comms, cum = self.county_communities[county.code]
        x = self.rng.random() * cum[-1]
        lo, hi = 0, len(cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return comms[lo]

    def _scope_text(self, category: str, n: int = 3) -> str:
        items = vocab.SCOPE_ITEMS.get(category, vocab.SCOPE_ITEMS["other"])
        return "、".join(self.rng.sample(items, min(n, len(items)))) + "。"

    # --- registered organisations ------------------------------------------------------------
    def _authority(self, level: str, county: Place) -> tuple[Place | None, str, str]:
        """(authority region, 6-digit division for the USCC, place name for the org's name)."""
        sk = self.skeleton
        city = sk.city_of(county)
        province = sk.province_of(county)
        if level == "national":
            return None, "100000", "中国"
        if level == "provincial" and province is not None:
            return province, province.code[:2] + "0000", province.name
        if level in ("provincial", "city") and city is not None:
            return city, city.code[:4] + "00", city.short
        prefix = city.short if city is not None else ""
        return county, county.code[:6], prefix + county.short

    def _registered_name(
        self, kind: str, level: str, place: str, county: Place, street: Place
    ) -> tuple[str, str, str]:
        """(name, initials, category code), unique among the generated registered names."""
        rng = self.rng
        brands = vocab.BRANDS + self.local_brands
        for attempt in range(40):
            if kind == "association":
                short_place = county.short if level == "county" else place
                if level in ("city", "provincial") and rng.random() < 0.06:
                    home = rng.choice(vocab.HOMETOWN_CHAMBERS)
                    parts: tuple[str, ...] = (place, home, "商会")
                    category = "trade_association"
                else:
                    field_name, category, forms = rng.choice(vocab.ASSOCIATION_FIELDS)
                    form = rng.choice(forms)
                    if attempt < 8:
                        parts = (short_place, field_name, form)
                    elif attempt < 20 and level == "county":
                        parts = (short_place, street.short, field_name, form)
                    else:
                        parts = (short_place, rng.choice(brands), field_name, form)
            elif kind == "foundation":
                field_name, category = rng.choice(vocab.FOUNDATION_FIELDS)
                parts = (place, rng.choice(brands), field_name, "基金会")
            else:
                form, category = rng.choice(vocab.SOCIAL_SERVICE_FORMS)
                if attempt < 30:
                    parts = (place, rng.choice(brands), form)
                else:
                    parts = (place, street.short, rng.choice(brands), form)
            name = "".join(parts)
            if name not in self._names:
                self._names.add(name)
                return name, self.initials(*parts), category
        n = 2
        while f"{name}（{n}）" in self._names:
            n += 1
        name = f"{name}（{n}）"
        self._names.add(name)
        return name, self.initials(*parts), category

    def _registered_row(
        self, level: str, county: Place, persons: list[tuple[str, str, str]]
    ) -> tuple[object, ...]:
        rng = self.rng
        status = self.status_deck.draw(rng)
        kind = self.kind_decks["open" if status in OPEN_STATUSES else "closed"].draw(rng)
        if kind == "foundation" and level == "county":
            level = "city"  # foundations are registered by cities and provinces
        authority, division, place = self._authority(level, county)
        community = self._pick_community(county)
        street = community.parent or community
        name, initials, category = self._registered_name(kind, level, place, county, street)
        registered_on = self._registration_date()
        kind_digit = {"association": "1", "social_service": "2", "foundation": "3"}[kind]
        uscc = self.usccs.issue(kind_digit, division, modern=registered_on.year >= 2016)
        city = self.skeleton.city_of(county)
        authority_place = place if level != "county" else county.short
        supervisory = ""
        if category not in DIRECT_REGISTRATION or (kind != "foundation" and rng.random() < 0.1):
            unit = vocab.SUPERVISORY_UNITS.get(category, "民政局")
            supervisory = (authority_place if level != "national" else "国家") + unit
            if level == "national":
                supervisory = "中华人民共和国民政部"
        funds: Decimal
        foundation_type = certificate = ""
        if kind == "association":
            base = 100_000 if level in ("national", "provincial") else 30_000
            funds = Decimal(base + rng.randrange(0, 48) * 10_000)
        elif kind == "foundation":
            foundation_type = "public" if rng.random() < 0.25 else "non_public"
            base = 8_000_000 if foundation_type == "public" else 2_000_000
            funds = Decimal(base + rng.randrange(0, 80) * 100_000)
        else:
            funds = Decimal(round(rng.lognormvariate(math.log(100_000), 0.8), -3) or 30_000)
            roll = rng.random()
            certificate = (
                "legal_person" if roll < 0.96 else ("partnership" if roll < 0.98 else "individual")
            )
        is_charity = (
            rng.random() < 0.85
            if kind == "foundation"
            else rng.random() < (0.4 if category == "charity" else 0.03)
        )
        field_label = name[len(place) :] if name.startswith(place) else name
        if kind == "association":
            purpose = (
                "遵守宪法、法律、法规和国家政策，践行社会主义核心价值观，遵守社会道德风尚；"
                f"团结本地区{field_label}领域的单位和个人，发挥桥梁纽带作用，促进行业健康发展。"
            )
        elif kind == "foundation":
            purpose = (
                "遵守宪法、法律、法规和国家政策，践行社会主义核心价值观，弘扬扶贫济困、"
                "乐善好施的传统美德，募集资金，资助公益慈善事业。"
            )
        else:
            purpose = (
                "遵守宪法、法律、法规和国家政策，践行社会主义核心价值观，"
                f"面向社会提供{vocab.SCOPE_ITEMS.get(category, ('公益',))[0]}等服务，不以营利为目的。"
            )
        city_name = city.short if city is not None else ""
        address = (
            f"{city_name}{county.name}{street.name}{rng.choice(vocab.ROADS)}"
            f"{rng.randint(1, 399)}号{rng.choice(vocab.BUILDINGS)}"
        )
        if rng.random() < 0.04 and persons:
            person_ref = rng.randrange(len(persons))  # one person leads two organisations
        else:
            persons.append(self._person(county))
            person_ref = len(persons) - 1
        activity_area = {"national": "全国", "provincial": place, "city": place}.get(level, place)
        row = (
            kind,
            name,
            initials,
            uscc,
            self.categories.get(category),
            MANAGEMENT_LEVEL[level],
            authority.id if authority is not None else None,
            community.id,
            community.code,
            address,
            supervisory,
            funds,
            foundation_type,
            certificate,
            is_charity,
            purpose,
            self._scope_text(category, 4),
            activity_area,
            registered_on,
            status,
            self._status_date(status, registered_on),
            self._org_phone(county),
            person_ref,
        )
        self._digest.update(f"{name}|{uscc}|{community.code}|{status}|{registered_on}\n".encode())
        return row

    # --- filed community groups ----------------------------------------------------------------
    def _group_rows(
        self, community: Place, n: int, county: Place, persons: list[tuple[str, str, str]]
    ) -> list[tuple[object, ...]]:
        rng = self.rng
        street = community.parent or community
        activities = vocab.GROUP_ACTIVITIES
        if not community.urban:
            activities = activities + vocab.RURAL_GROUP_ACTIVITIES * 3
        used: set[str] = set()
        rows = []
        for _ in range(n):
            for attempt in range(60):
                activity, category = rng.choice(activities)
                place = street.short if attempt < 3 and rng.random() < 0.03 else community.short
                prefix = "" if attempt == 0 else rng.choice(vocab.GROUP_PREFIXES)
                parts: tuple[str, ...] = (place, prefix, activity)
                name = "".join(parts)
                if name not in used:
                    break
            else:
                k = 2
                while f"{name}第{k}队" in used:
                    k += 1
                parts = (name, f"第{k}队")
                name = "".join(parts)
            used.add(name)
            status = self.group_status_deck.draw(rng)
            filed_on = self._filing_date()
            persons.append(self._person(county))
            address = f"{county.name}{street.name}{community.name}{rng.choice(('党群服务中心', '综合服务中心', '活动室'))}"
            rows.append(
                (
                    "community_group",
                    name,
                    self.initials(*parts),
                    None,
                    self.categories.get(category),
                    "street",
                    street.id,
                    community.id,
                    community.code,
                    address,
                    "",
                    None,
                    "",
                    "",
                    False,
                    vocab.GROUP_PURPOSES[category],
                    self._scope_text(category, 2),
                    community.short,
                    filed_on,
                    status,
                    self._status_date(status, filed_on),
                    self._mobile(),
                    len(persons) - 1,
                )
            )
            self._digest.update(f"{name}|{community.code}|{status}|{filed_on}\n".encode())
        return rows

    # --- officers (a second pass over the inserted organisations) -----------------------------
    def _officer_person(self, county_code: str) -> tuple[str, str, str]:
        rng = self.officer_rng
        surname = rng.choice(vocab.SURNAMES)
        given = "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))
        prefix = rng.choice(("13", "15", "18", "17", "19"))
        mobile = f"{prefix}{rng.randrange(10)}{rng.randrange(10**8):08d}"
        return surname + given, self.id_numbers.issue(county_code[:6]), mobile

    def officers_of(
        self,
        kind: str,
        county_code: str,
        registered_on: dt.date | None,
        closed_on: dt.date | None,
        today: dt.date,
    ) -> tuple[list[tuple[str, str, str]], list[tuple[str, int, dt.date | None, dt.date | None]]]:
        """The officers of one organisation: (new people, rows of (position, person, start, end))
        where person ``-1`` is the organisation's legal representative and ``i`` the i-th new
        person. The current term began within the last five years before ``today`` (or the
        closing day of a closed organisation, when its officers left), never before registration;
        a quarter of registered organisations also show the previous term's secretary/principal.

        Call after :meth:`chunks` is exhausted: new ID numbers continue the registry's sequence,
        so they never repeat one of it.
        """
        rng = self.officer_rng
        end = closed_on
        until = closed_on or today
        earliest = registered_on or until
        start = max(earliest, until - dt.timedelta(days=rng.randrange(30, TERM_DAYS)))
        start = min(start, until)
        rows: list[tuple[str, int, dt.date | None, dt.date | None]] = [
            (position, -1, start, end)
            for position in LEADER_POSITIONS.get(kind, DEFAULT_LEADER_POSITIONS)
        ]
        people: list[tuple[str, str, str]] = []
        for position, share in OFFICER_SHAPES.get(kind, ()):
            if rng.random() >= share:
                continue
            people.append(self._officer_person(county_code))
            rows.append((position, len(people) - 1, start, end))
            previous_end = start - dt.timedelta(days=1)
            if (
                position in ("secretary_general", "principal")
                and previous_end > earliest + dt.timedelta(days=365)
                and rng.random() < FORMER_SHARE
            ):
                people.append(self._officer_person(county_code))
                previous_start = max(earliest, previous_end - dt.timedelta(days=TERM_DAYS))
                rows.append((position, len(people) - 1, previous_start, previous_end))
        return people, rows

    # --- the stream ----------------------------------------------------------------------------
    def chunks(self) -> Iterator[Chunk]:
        for county in self.skeleton.counties:
            persons: list[tuple[str, str, str]] = []
            orgs: list[tuple[object, ...]] = []
            for level, n in self.registered_per.get(county.code, []):
                for _ in range(n):
                    orgs.append(self._registered_row(level, county, persons))
            for street in county.children:
                for community in street.children:
                    n = self.groups_per_community[community.code]
                    if n:
                        orgs.extend(self._group_rows(community, n, county, persons))
            for p in persons:
                self._digest.update(f"{p[0]}|{p[1]}\n".encode())
            yield Chunk(county, persons, orgs)
        self.plan.digest = self._digest.hexdigest()
