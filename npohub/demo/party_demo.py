"""Party-building demo for Jinan (seed 000, with Rizhao's instructor ratio from seed 001).

- the city's 社会组织综合党委 (the root committee);
- 6 party-building work stations at city-level hubs, 100,000 yuan a year each, each linking
  about 30 organisations and their party organisations;
- 2 industry party committees at hubs: 社会工作 and 养老服务;
- staff party-member reports for the linked organisations and a sample of the rest, then a mix
  of own branches (general branches and committees for the large ones), joint branches of up
  to 5 small units, and some 应建未建 organisations left without one;
- 19 instructors/liaisons for 69 organisations that have no party organisation;
- the demo party officer (``party``, a grant role) is assigned the first work station's hub and
  the organisations it links, plus a few 应建未建 ones, so it has units, branches, a station,
  a hub and work waiting (the bureau builds the rest of the city).

Everything goes through the party services (audited), and the officer's assignment through
``orgs.access.access_grant``; hubs missing for the stations are recognised through the hubs
services. Run after ``load_demo``, ``demo_accounts`` (and
``demo_hubs`` when there is one: its city-level hubs are used first); running it again
changes nothing (it stops if the root committee exists).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, When
from django.utils import timezone

from npohub.accounts.models import User
from npohub.core.errors import DomainError
from npohub.hubs import services as hub_services
from npohub.hubs.models import Hub, HubKind
from npohub.orgs.access import access_grant
from npohub.orgs.models import CLOSED_STATUSES, AccessReason, Organization, Status
from npohub.party import services
from npohub.party.models import PartyOrganization, Tier, WorkStation
from npohub.party.selectors import missing_party_organizations
from npohub.party.services import PartyOrganizationInput
from npohub.regions.models import Region

ROOT_NAME = "济南市社会组织综合党委"
CITY_CODE = "370100000000"
STATIONS = 6
LINKS_PER_STATION = 30
STATION_BUDGET = Decimal("100000")
INDUSTRIES = (("social_work", "社会工作"), ("elderly_care", "养老服务"))
INSTRUCTORS = 19
INSTRUCTED_ORGS = 69
# 应建未建 units the demo party officer is assigned besides its station's.
OFFICER_MISSING = 5
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国志强秀英桂芳海燕明华丽娟国庆红梅晓东春生玉兰德胜"


@dataclass
class Summary:
    stations: int = 0
    linked: int = 0
    industry_committees: int = 0
    own: int = 0
    joint: int = 0
    missing: int = 0
    instructors: int = 0
    reports: int = 0
    officer_units: int = 0


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def _city_hubs(admin: User, city: Region, on: dt.date) -> list[Organization]:
    """Six city-level hub organisations: current recognitions first, then newly recognised."""
    current = (
        Hub.objects.current(on)
        .filter(organization__management_level="city")
        .exclude(organization__status__in=CLOSED_STATUSES)
        .select_related("organization")
        .order_by(Case(When(kind=HubKind.PARTY, then=0), default=1), "-kind", "organization__uscc")
    )
    found: dict[int, Organization] = {}
    for hub in current:
        found.setdefault(hub.organization_id, hub.organization)
    candidates = (
        Organization.objects.registered()
        .filter(management_level="city", status=Status.ACTIVE, kind="association")
        .exclude(pk__in=list(found))
        .order_by("uscc")
    )
    for org in candidates:
        if len(found) >= STATIONS:
            break
        try:
            hub_services.hub_recognize(
                actor=admin,
                organization=org,
                data=hub_services.RecognitionInput(
                    kind=HubKind.PARTY,
                    decision_number="济民字〔2022〕18号",
                    decision_date=dt.date(2022, 3, 1),
                    valid_from=dt.date(2022, 3, 1),
                    region=city,
                    scope_note="党建类枢纽型社会组织（市级）",
                ),
            )
        except DomainError:
            continue
        found[org.pk] = org
    return list(found.values())[:STATIONS]


def _branch_input(
    org: Organization, formal: int, parent: PartyOrganization, rng: random.Random
) -> PartyOrganizationInput:
    if formal > 100:
        tier, suffix = Tier.COMMITTEE, "党委"
    elif formal > 50:
        tier, suffix = Tier.GENERAL_BRANCH, "党总支"
    else:
        tier, suffix = Tier.OWN_BRANCH, "党支部"
    return PartyOrganizationInput(
        name=f"{org.name}{suffix}",
        tier=tier,
        established_on=dt.date(rng.randint(2018, 2025), rng.randint(1, 12), 1),
        host_organization=org,
        parent=parent,
        secretary_name=_name(rng),
        formal_members=formal,
        probationary_members=rng.randint(0, 2),
        activists=rng.randint(0, 4),
    )


@transaction.atomic
def load_party_demo(*, today: dt.date | None = None) -> Summary:
    """Build the Jinan party-building demo once; return what was made (empty if it existed)."""
    summary = Summary()
    if PartyOrganization.objects.filter(name=ROOT_NAME).exists():
        return summary
    today = today or timezone.localdate()
    rng = random.Random(2022)
    officer = User.objects.get(username="party")
    # The bureau (the superuser) builds the city; the officer keeps only what it is assigned.
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        admin = User.objects.get(username="city")
    city = Region.objects.get(code=CITY_CODE, is_active=True)
    root = services.party_organization_create(
        actor=admin,
        data=PartyOrganizationInput(
            name=ROOT_NAME,
            tier=Tier.COMMITTEE,
            established_on=dt.date(2018, 7, 1),
            region_code=CITY_CODE,
            secretary_name=_name(rng),
            formal_members=45,
        ),
    )

    hubs = _city_hubs(admin, city, today)
    committees: dict[str, PartyOrganization] = {}
    for hub_org, (code, industry) in zip(hubs, INDUSTRIES, strict=False):
        committees[code] = services.party_organization_create(
            actor=admin,
            data=PartyOrganizationInput(
                name=f"济南市{industry}行业党委",
                tier=Tier.COMMITTEE,
                established_on=dt.date(2022, 6, 1),
                host_organization=hub_org,
                parent=root,
                industry=industry,
                secretary_name=_name(rng),
                formal_members=rng.randint(120, 260),
            ),
        )
    summary.industry_committees = len(committees)

    hub_ids = {o.pk for o in hubs}
    pool = list(
        Organization.objects.registered()
        .filter(address_code__startswith="3701", status=Status.ACTIVE)
        .exclude(pk__in=hub_ids)
        .select_related("category")
        .order_by("uscc")[: STATIONS * LINKS_PER_STATION * 3]
    )
    rng.shuffle(pool)
    linked = pool[: STATIONS * LINKS_PER_STATION]
    as_of = min(dt.date(2026, 3, 31), today)

    # Staff party members: about 45 % of units have none, 20 % one or two, 35 % three or more.
    figures: dict[int, int] = {}
    for org in pool:
        roll = rng.random()
        formal = (
            0
            if roll < 0.45
            else rng.randint(1, 2)
            if roll < 0.65
            else rng.choice([3, 3, 4, 5, 6, 8, 12, 20, 35, 60, 130])
        )
        figures[org.pk] = formal
        services.staff_party_members_record(
            actor=admin, organization=org, as_of=as_of, formal_members=formal, source="年度报告"
        )
        summary.reports += 1

    party_of: dict[int, PartyOrganization] = {}
    small: list[Organization] = []
    for org in pool:
        formal = figures[org.pk]
        if formal >= 3 and rng.random() < 0.8:
            category = org.category.code if org.category else ""
            parent = committees.get(category, root)
            party_of[org.pk] = services.party_organization_create(
                actor=admin, data=_branch_input(org, formal, parent, rng)
            )
            summary.own += 1
        elif formal >= 3:
            summary.missing += 1
        elif formal > 0 and rng.random() < 0.7:
            small.append(org)
    small.sort(key=lambda o: o.address_code)
    for start in range(0, len(small), 5):
        group = small[start : start + rng.randint(3, 5)]
        if not group:
            continue
        street = group[0].address_code[:9]
        joint = services.party_organization_create(
            actor=admin,
            data=PartyOrganizationInput(
                name=f"{group[0].name[:6]}等社会组织联合党支部",
                tier=Tier.JOINT_BRANCH,
                established_on=dt.date(rng.randint(2019, 2024), 7, 1),
                region_code=street.ljust(12, "0"),
                parent=root,
                secretary_name=_name(rng),
                formal_members=max(3, sum(figures[o.pk] for o in group)),
                covered=group,
            ),
        )
        summary.joint += 1
        for org in group:
            party_of[org.pk] = joint

    for index, hub_org in enumerate(hubs):
        station = services.work_station_create(
            actor=admin,
            name=f"济南市社会组织党建工作站（{hub_org.name}）",
            host_organization=hub_org,
            established_on=dt.date(2022, 3, 1),
            region_code=CITY_CODE,
            budget_year=2022,
            budget_amount=STATION_BUDGET,
        )
        for year in range(2023, today.year + 1):
            services.work_station_budget_set(
                actor=admin, station=station, year=year, amount=STATION_BUDGET
            )
        seen: set[int] = set()
        for org in linked[index * LINKS_PER_STATION : (index + 1) * LINKS_PER_STATION]:
            services.work_station_link_add(
                actor=admin, station=station, start_date=dt.date(2022, 4, 1), organization=org
            )
            po = party_of.get(org.pk)
            if po is not None and po.pk not in seen and po.established_on <= today:
                seen.add(po.pk)
                services.work_station_link_add(
                    actor=admin,
                    station=station,
                    start_date=max(dt.date(2022, 4, 1), po.established_on),
                    party_organization=po,
                )
            summary.linked += 1
        summary.stations += 1

    without = [o for o in pool if o.pk not in party_of][:INSTRUCTED_ORGS]
    for index in range(min(INSTRUCTORS, len(without))):
        ins = services.instructor_create(
            actor=admin,
            name=_name(rng),
            region_code=CITY_CODE,
            appointed_on=dt.date(2022, 5, 1),
            unit_label="济南市民政局（业务科室党员兼任）",
        )
        for org in without[index::INSTRUCTORS]:
            services.instructor_assign(
                actor=admin, instructor=ins, organization=org, start_date=dt.date(2022, 5, 1)
            )
        summary.instructors += 1
    summary.officer_units = _assign_officer(admin, officer, today)
    return summary


def _assign_officer(admin: User, officer: User, today: dt.date) -> int:
    """Give the demo party officer its work: the first station's hub and linked units, and a
    few 应建未建 units of its region (``party`` grants, audited). Returns how many units."""
    station = WorkStation.objects.order_by("pk").first()
    units: dict[int, Organization] = {}
    if station is not None:
        units[station.host_organization_id] = station.host_organization
        for link in station.links.select_related("organization").filter(organization__isnull=False):
            assert link.organization is not None
            units[link.organization.pk] = link.organization
    prefix = officer.scope_prefix or ""
    missing = [
        row.organization_id
        for row in missing_party_organizations(today)
        if row.organization_id not in units
    ]
    extra = Organization.objects.filter(pk__in=missing, address_code__startswith=prefix).order_by(
        "uscc"
    )[:OFFICER_MISSING]
    for org in [*units.values(), *extra]:
        access_grant(actor=admin, user=officer, organization=org, reason=AccessReason.PARTY)
    return len(units) + len(extra)


def describe(summary: Summary) -> dict[str, Any]:
    return {
        "工作站": summary.stations,
        "工作站联系组织": summary.linked,
        "行业党委": summary.industry_committees,
        "本单位党组织": summary.own,
        "联合党支部": summary.joint,
        "应建未建": summary.missing,
        "指导员/联络员": summary.instructors,
        "从业人员党员报告": summary.reports,
        "党建工作人员联系单位": summary.officer_units,
    }
