"""Factories and small helpers for party tests."""

from __future__ import annotations

import datetime as dt

from npohub.hubs.models import Hub, HubKind
from npohub.orgs.models import Organization, Person
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.party.models import (
    Instructor,
    InstructorAssignment,
    PartyCoverage,
    PartyOrganization,
    StaffPartyMembers,
    Tier,
)

D0 = dt.date(2024, 1, 1)


def staff_members(org: Organization, formal: int, on: dt.date = D0) -> StaffPartyMembers:
    return StaffPartyMembers.objects.create(organization=org, as_of=on, formal_members=formal)


def party_org(
    tier: str = Tier.OWN_BRANCH,
    *,
    host: Organization | None = None,
    covers: list[Organization] | tuple[Organization, ...] = (),
    formal: int = 3,
    on: dt.date = D0,
    region_code: str = "",
    name: str = "",
) -> PartyOrganization:
    """A party organisation written straight to the tables (arrange step; no rules)."""
    po = PartyOrganization.objects.create(
        name=name or f"{host.name if host else '联合'}党支部",
        tier=tier,
        host_organization=host,
        region_code=region_code or (host.address_code if host else "370102001002"),
        established_on=on,
        formal_members=formal,
        counts_as_of=on,
    )
    for org in covers or ([host] if host else []):
        PartyCoverage.objects.create(party_organization=po, organization=org, start_date=on)
    return po


def instructor(
    *orgs: Organization, on: dt.date = D0, region_code: str = "370102000000"
) -> Instructor:
    ins = Instructor.objects.create(
        person=Person.objects.create(name="李指导"),
        region_code=region_code,
        appointed_on=on,
    )
    for org in orgs:
        InstructorAssignment.objects.create(instructor=ins, organization=org, start_date=on)
    return ins


def hub_for(org: Organization, on: dt.date = D0) -> Hub:
    return Hub.objects.create(
        organization=org,
        name=org.name,
        kind=HubKind.PARTY,
        decision_number="济民发〔2022〕1号",
        decision_date=on,
        valid_from=on,
    )


def units(n: int, community, **kw) -> list[Organization]:
    return [OrganizationFactory(community=community, **kw) for _ in range(n)]


def assign(officer, *orgs: Organization) -> None:
    """Assign organisations to a party officer (``party`` grants): its whole scope."""
    from npohub.orgs.models import AccessReason
    from npohub.orgs.tests.factories import grant

    for org in orgs:
        grant(officer, org, AccessReason.PARTY)
