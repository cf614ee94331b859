"""Hub governance demo for Jinan (seed 000): 177 hubs across the four kinds, a federation in
every street chaired by the street head, service platforms at three levels, pairings, members.

What the shipped Jinan division slice allows (``npohub/regions/data/divisions-3701``): it has
13 districts/counties (including the 高新区) and 164 streets/towns, where the seed counts 15
district platforms and 161 street federations/platforms. So:

- 164 街镇级 hubs: one federation per street (a filed 联合会 made for it), each chaired by the
  street head: coverage 100 % and 100 %, as the seed reports;
- 13 more hubs make the seed's 177: 6 党建类 (city level; the party demo puts its 6 work
  stations there), 5 平台类 (1 city, 4 district: 历下, 市中, 槐荫, 天桥) and 2 自发类 (city-level
  associations gathering a field);
- platforms 1 / 13 / 161: the city platform (city 平台类 hub), one per district (its own
  平台类 hub for the 4 districts that have one, the city hub for the other 9), and street
  platforms in the first 161 streets by code, each run by the street's federation;
- members: the city platform hub holds the 30 city-level organisations the demo account ``hub``
  was granted (``demo_accounts``), and ``hub`` becomes its staff; each federation takes up to 8
  of its street's filed groups; the 自发类 hubs take 10 organisations of their field;
- 24 pairings, platform visits and honours, a notice, an escalation and a first-line review.

Everything goes through the hubs (and orgs) services, audited. Deterministic: inputs ordered
by code/USCC, fixed dates. Run after ``load_demo`` and ``demo_accounts``; before or after
``demo_party`` (party hubs it already recognised are reused). Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from npohub.accounts.models import User
from npohub.core.errors import DomainError
from npohub.hubs import services
from npohub.hubs.models import Federation, Hub, HubKind, PlatformLevel
from npohub.hubs.selectors import acting_hub_for
from npohub.orgs.models import CLOSED_STATUSES, Kind, Organization, Status
from npohub.orgs.services import organization_create
from npohub.orgs.validation import OrganizationInput
from npohub.regions.models import Level, Region

CITY_CODE = "370100000000"
SINCE = dt.date(2021, 6, 1)
PARTY_HUBS = 6
SPONTANEOUS_HUBS = 2
DISTRICT_PLATFORM_HUBS = ("370102", "370103", "370104", "370105")
STREET_PLATFORMS = 161
MEMBERS_PER_FEDERATION = 8
HUB_ACCOUNT_MEMBERS = 30
PAIRINGS = 24
OFFERINGS = ["incubation", "venture", "information", "training"]
HEADS = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


@dataclass
class Summary:
    hubs: dict[str, int] = field(default_factory=dict)
    federations: int = 0
    platforms: dict[str, int] = field(default_factory=dict)
    members: int = 0
    pairings: int = 0
    staff_hub: str = ""


def describe(summary: Summary) -> dict[str, Any]:
    return {
        "枢纽": sum(summary.hubs.values()),
        "其中党建类": summary.hubs.get(HubKind.PARTY, 0),
        "平台类": summary.hubs.get(HubKind.PLATFORM, 0),
        "街镇级": summary.hubs.get(HubKind.STREET, 0),
        "自发类": summary.hubs.get(HubKind.SPONTANEOUS, 0),
        "联合会": summary.federations,
        "市/区/街平台": "/".join(
            str(summary.platforms.get(level, 0)) for level in PlatformLevel.values
        ),
        "成员": summary.members,
        "结对": summary.pairings,
        "演示账号 hub 所在枢纽": summary.staff_hub,
    }


def _recognise(
    admin: User, org: Organization, kind: str, region: Region, note: str, number: str
) -> Hub | None:
    try:
        return services.hub_recognize(
            actor=admin,
            organization=org,
            data=services.RecognitionInput(
                kind=kind,
                decision_number=number,
                decision_date=SINCE,
                valid_from=SINCE,
                region=region,
                scope_note=note,
                decision_text="经研究，认定为枢纽型社会组织，受民政局委托对成员开展初审、评分和日常联系。",
            ),
        )
    except DomainError:
        return None


def _open_registered() -> Any:
    return (
        Organization.objects.registered()
        .filter(status=Status.ACTIVE, kind=Kind.ASSOCIATION)
        .order_by("uscc")
    )


def _city_hubs(admin: User, city: Region, summary: Summary) -> tuple[list[Hub], Hub | None]:
    """6 party hubs (reusing the party demo's), the city platform hub and 2 spontaneous ones."""
    taken: set[int] = set(Hub.objects.values_list("organization_id", flat=True))
    party = list(
        Hub.objects.filter(kind=HubKind.PARTY, status="recognised", scope_prefix=city.prefix)
        .select_related("organization")
        .order_by("organization__uscc")[:PARTY_HUBS]
    )
    candidates = iter(_open_registered().filter(management_level="city").exclude(pk__in=taken))

    def next_hub(kind: str, note: str, number: str) -> Hub | None:
        for org in candidates:
            hub = _recognise(admin, org, kind, city, note, number)
            if hub is not None:
                return hub
        return None

    while len(party) < PARTY_HUBS:
        hub = next_hub(HubKind.PARTY, "党建类枢纽型社会组织（市级）", "济民字〔2021〕18号")
        if hub is None:
            break
        party.append(hub)
    platform = next_hub(HubKind.PLATFORM, "市级社会组织服务平台运营", "济民字〔2021〕19号")
    spontaneous = [
        hub
        for hub in (
            next_hub(HubKind.SPONTANEOUS, "同领域社会组织自发联合", "济民字〔2021〕20号")
            for _ in range(SPONTANEOUS_HUBS)
        )
        if hub is not None
    ]
    for hub in spontaneous:
        field_orgs = (
            _open_registered()
            .filter(category_id=hub.organization.category_id)
            .exclude(pk=hub.organization_id)[:10]
        )
        for org in field_orgs:
            summary.members += _join(admin, hub, org)
    return [*party, *spontaneous], platform


def _join(admin: User, hub: Hub, org: Organization) -> int:
    try:
        services.hub_member_add(
            actor=admin,
            hub=hub,
            organization=org,
            data=services.MembershipInput(
                joined_on=max(SINCE, hub.valid_from),
                agreement_signed_on=max(SINCE, hub.valid_from),
                agreement_terms="接受枢纽初审、月度评分和日常联系指导",
            ),
        )
    except DomainError:
        return 0
    return 1


def _federation_org(admin: User, street: Region) -> Organization | None:
    name = f"{street.name}社区社会组织联合会"
    existing = Organization.objects.filter(name=name, kind=Kind.COMMUNITY_GROUP).first()
    if existing is not None:
        return existing
    community = (
        Region.objects.active().filter(parent=street, level=Level.VILLAGE).order_by("code").first()
    )
    if community is None:
        return None
    return organization_create(
        actor=admin,
        data=OrganizationInput(
            kind=Kind.COMMUNITY_GROUP,
            name=name,
            community_code=community.code,
            management_level="street",
            registration_date=SINCE,
            purpose="协助街道孵化、联系、服务、管理社区社会组织",
        ),
    )


def _federations(admin: User, streets: list[Region], summary: Summary) -> list[Federation]:
    feds = []
    for i, street in enumerate(streets):
        org = _federation_org(admin, street)
        if org is None:
            continue
        head = HEADS[i % len(HEADS)] + "主任"
        fed = services.federation_create(
            actor=admin,
            street=street,
            organization=org,
            data=services.FederationInput(
                established_on=SINCE,
                decision_number=f"{street.name}〔2021〕1号",
                chair_name=head,
                chair_title="街道（乡镇）主要负责人",
                chaired_by_street_head=True,
            ),
        )
        groups = (
            Organization.objects.filed()
            .filter(address_code__startswith=street.prefix)
            .exclude(status__in=CLOSED_STATUSES)
            .exclude(pk=org.pk)
            .order_by("pk")[:MEMBERS_PER_FEDERATION]
        )
        for group in groups:
            summary.members += _join(admin, fed.hub, group)
        feds.append(fed)
    summary.federations = len(feds)
    return feds


def _platform(admin: User, name: str, level: str, region: Region, operator: Hub) -> None:
    services.platform_create(
        actor=admin,
        data=services.PlatformInput(
            name=name,
            level=level,
            region=region,
            operator=operator,
            opened_on=SINCE,
            offerings=OFFERINGS,
        ),
    )


@transaction.atomic
def load_hubs_demo() -> Summary:
    """Build the Jinan hub demo once; return what was made (empty if it existed)."""
    summary = Summary()
    if Federation.objects.exists():
        return summary
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    staff = User.objects.filter(username="hub").first()
    if admin is None or staff is None:
        raise DomainError("请先运行 manage.py demo_accounts")
    city = Region.objects.get(code=CITY_CODE, is_active=True)
    districts = list(
        Region.objects.active().filter(parent=city, level=Level.COUNTY).order_by("code")
    )
    streets = list(
        Region.objects.active()
        .filter(level=Level.TOWNSHIP, code__startswith=city.prefix)
        .order_by("code")
    )
    others, city_hub = _city_hubs(admin, city, summary)
    if city_hub is None:
        raise DomainError("没有可认定为市级平台类枢纽的社会组织：请先运行 manage.py load_demo")

    # The city platform hub: the demo account ``hub`` works there, over its 30 members.
    for org in (
        Organization.objects.registered()
        .exclude(status__in=CLOSED_STATUSES)
        .filter(management_level="city")
        .exclude(pk=city_hub.organization_id)
        .order_by("uscc")[:HUB_ACCOUNT_MEMBERS]
    ):
        summary.members += _join(admin, city_hub, org)
    services.hub_staff_add(actor=admin, hub=city_hub, user=staff, valid_from=SINCE)
    summary.staff_hub = city_hub.name

    district_hubs: dict[str, Hub] = {}
    for district in districts:
        if district.prefix not in DISTRICT_PLATFORM_HUBS:
            continue
        for org in _open_registered().filter(
            management_level="county", address_code__startswith=district.prefix
        ):
            hub = _recognise(
                admin,
                org,
                HubKind.PLATFORM,
                district,
                f"{district.name}社会组织服务平台运营",
                "济民字〔2021〕21号",
            )
            if hub is not None:
                district_hubs[district.prefix] = hub
                break

    feds = _federations(admin, streets, summary)

    _platform(admin, "济南市社会组织服务中心", PlatformLevel.CITY, city, city_hub)
    for district in districts:
        operator = district_hubs.get(district.prefix, city_hub)
        _platform(
            admin, f"{district.name}社会组织服务中心", PlatformLevel.DISTRICT, district, operator
        )
    for fed in feds[:STREET_PLATFORMS]:
        _platform(
            admin, f"{fed.street.name}社会组织服务站", PlatformLevel.STREET, fed.street, fed.hub
        )

    _activity(admin, staff, city_hub, feds, summary)
    summary.hubs = {
        kind: Hub.objects.filter(kind=kind, status="recognised").count() for kind in HubKind.values
    }
    summary.platforms = {
        level: city_hub.platforms.model.objects.filter(level=level).count()
        for level in PlatformLevel.values
    }
    del others
    return summary


def _activity(
    admin: User, staff: User, city_hub: Hub, feds: list[Federation], summary: Summary
) -> None:
    """Visits, honours, pairings, and what the hub account did for the bureau."""
    platform = city_hub.platforms.order_by("pk").first()
    if platform is not None:
        for n, visitor in enumerate(
            ("青岛市民政局", "淄博市民政局", "山东省民政厅", "泰安市民政局")
        ):
            services.platform_record_visit(
                actor=admin,
                platform=platform,
                visited_on=dt.date(2025, 3 + n, 10),
                visitor=visitor,
                headcount=8 + n * 3,
                purpose="参观学习社会组织服务平台建设",
            )
        services.platform_record_honour(
            actor=admin,
            platform=platform,
            title="全省社会组织服务平台示范单位",
            awarded_by="山东省民政厅",
            awarded_on=dt.date(2024, 12, 20),
        )
    seniors = list(
        _open_registered().filter(management_level__in=["city", "county"])[: PAIRINGS * 2]
    )
    groups = [
        m.organization
        for fed in feds[:PAIRINGS]
        for m in fed.hub.memberships.select_related("organization")[:1]
    ]
    for n, (senior, group) in enumerate(zip(seniors[::2], groups, strict=False)):
        try:
            services.pairing_create(
                actor=admin,
                senior=senior,
                community_group=group,
                topic=("助老服务", "青少年托管", "文体活动指导", "志愿服务培训")[n % 4],
                started_on=dt.date(2024, 1 + n % 12, 1),
            )
        except DomainError:
            continue
        summary.pairings += 1
    members = list(city_hub.memberships.select_related("organization").order_by("pk")[:2])
    if not members:
        return
    services.hub_notice_send(
        actor=staff,
        hub=city_hub,
        title="关于按时报送年度报告的通知",
        body="请各成员单位于5月31日前报送上一年度工作报告，枢纽将先行初审。",
    )
    first = members[0].organization
    hub = acting_hub_for(staff, first) or city_hub
    services.hub_review_record(
        actor=staff,
        hub=hub,
        organization=first,
        subject="supervision.annual_report",
        subject_id=f"{first.pk}-2025",
        opinion="pass",
        comment="材料齐全，财务数据与审计报告一致。",
        score=Decimal("92"),
    )
    if len(members) > 1:
        services.escalation_raise(
            actor=staff,
            hub=city_hub,
            organization=members[1].organization,
            title="连续两月未参加枢纽活动",
            description="负责人电话无人接听，住所地址已变更未报告。",
        )
