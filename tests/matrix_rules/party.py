"""Permission-matrix rules for the party app (merged into tests/test_permission_matrix.py).

Party data is strict: only the bureaus (each in its own region) and party-building officers see
it; every other role gets the 404 of a missing page. The party officer (``party``, region 济南)
is a grant role: it is assigned (``party`` grants) the association of 解放桥 and the units its
objects need, nothing else of 济南. Each allowed user acts on objects of their own scope ("in":
the association in 历下区 for the 济南/历下 users, the one in 章丘 for ``district_out``, the one
in 青岛 for ``qingdao``) and gets a 404 for one outside it ("out"), in the same city where there
is one: another street of 历下区 for the party officer, another district for 历下区's bureau,
历下区 for 章丘's. Work stations and instructors are kept by the bureaus; the party officer reads
those touching its units. The lists' ``contents`` check what each list shows and hides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from npohub.hubs.models import Hub, HubKind
from npohub.orgs.models import AccessReason, Organization, Person
from npohub.orgs.tests.factories import OrganizationFactory, grant
from npohub.party.models import (
    Instructor,
    InstructorAssignment,
    PartyCoverage,
    PartyOrganization,
    StaffPartyMembers,
    Tier,
    WorkStation,
    WorkStationLink,
)
from tests.matrix import Rule, World, foreign_org

D0 = dt.date(2024, 1, 1)
# Who sees party data: the superuser, the bureaus (each in its region) and the party officer.
PARTY = frozenset({"admin", "city", "district", "district_out", "qingdao", "party"})
# Who keeps work stations and instructors: the bureaus of their region.
KEEPERS = PARTY - {"party"}
HOME = {"district_out": "far", "qingdao": "qingdao"}
# The outside organisation in the same city: another street of 历下区 for the party officer,
# another district for 历下区's bureau, 历下区 for 章丘's; else another city (foreign_org).
OUTSIDE = {"party": "other", "district": "far", "district_out": "assoc"}


def home_org(world: World, user: str) -> Organization:
    return world.orgs[HOME.get(user, "assoc")]


def outside_org(world: World, user: str) -> Organization:
    return world.orgs[OUTSIDE[user]] if user in OUTSIDE else foreign_org(world, user)


def _place(world: World, user: str, scope: str) -> Organization:
    return home_org(world, user) if scope == "in" else outside_org(world, user)


def assign_party(world: World, org: Organization) -> None:
    """The party officer's assignment (a ``party`` grant); it is given the home association."""
    world.once(("party_grant", org.pk), lambda: grant(world.cast["party"], org, AccessReason.PARTY))


def _companion(world: World, org: Organization) -> Organization:
    """A unit beside ``org`` (same community) that a joint branch and an instructor already
    have; assigned to the party officer with the home association."""

    def make() -> Organization:
        unit = OrganizationFactory(name=f"{org.name}伙伴单位", community=org.community)
        if org.pk == world.orgs["assoc"].pk:
            assign_party(world, unit)
        return unit

    return world.once(("companion", org.pk), make)


def with_assignment(world: World, user: str) -> dict[str, dict[str, Any]]:
    """For endpoints without parameters: the officer's assignment exists before the request."""
    assign_party(world, world.orgs["assoc"])
    return {"in": {}, "out": {}}


# --- objects (written straight to the tables, once per test) ---------------------------------


def _branch(world: World, org: Organization) -> PartyOrganization:
    def make() -> PartyOrganization:
        po = PartyOrganization.objects.create(
            name=f"{org.name}党支部",
            tier=Tier.OWN_BRANCH,
            host_organization=org,
            region_code=org.address_code,
            established_on=D0,
            formal_members=3,
            counts_as_of=D0,
        )
        PartyCoverage.objects.create(party_organization=po, organization=org, start_date=D0)
        return po

    return world.once(("branch", org.pk), make)


def _joint(world: World, org: Organization) -> PartyOrganization:
    def make() -> PartyOrganization:
        po = PartyOrganization.objects.create(
            name="矩阵联合党支部",
            tier=Tier.JOINT_BRANCH,
            region_code=org.address_code,
            established_on=D0,
            formal_members=3,
        )
        PartyCoverage.objects.create(
            party_organization=po, organization=_companion(world, org), start_date=D0
        )
        return po

    return world.once(("joint", org.pk), make)


def _hub(world: World, org: Organization) -> Hub:
    return world.once(
        ("hub", org.pk),
        lambda: Hub.objects.create(
            organization=org,
            name=org.name,
            kind=HubKind.PARTY,
            decision_number="矩阵〔2024〕1号",
            decision_date=D0,
            valid_from=D0,
        ),
    )


def _station(world: World, org: Organization) -> WorkStation:
    return world.once(
        ("station", org.pk),
        lambda: WorkStation.objects.create(
            name=f"{org.name}党建工作站",
            host_organization=org,
            region_code=org.address_code,
            established_on=D0,
        ),
    )


def _link(world: World, org: Organization) -> WorkStationLink:
    return world.once(
        ("link", org.pk),
        lambda: WorkStationLink.objects.create(
            station=_station(world, org), organization=org, start_date=D0
        ),
    )


def _instructor(world: World, org: Organization) -> Instructor:
    """An instructor of the organisation's place, assigned to the unit beside it."""

    def make() -> Instructor:
        instructor = Instructor.objects.create(
            person=Person.objects.create(name=f"{org.name}指导员", phone="13812345678"),
            region_code=org.address_code,
            appointed_on=D0,
        )
        InstructorAssignment.objects.create(
            instructor=instructor, organization=_companion(world, org), start_date=D0
        )
        return instructor

    return world.once(("instructor", org.pk), make)


def _assignment(world: World, org: Organization) -> InstructorAssignment:
    return world.once(
        ("assignment", org.pk),
        lambda: InstructorAssignment.objects.create(
            instructor=_instructor(world, org), organization=org, start_date=D0
        ),
    )


def per_user(param: str, make: Any) -> Any:
    """Target builder: the object made for the user's home organisation, and for an outside one
    (the officer's assignment given first)."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        with_assignment(world, user)
        return {
            "in": {param: make(world, home_org(world, user)).pk},
            "out": {param: make(world, outside_org(world, user)).pk},
        }

    return build


def units(world: World, user: str) -> dict[str, dict[str, Any]]:
    with_assignment(world, user)
    return {
        "in": {"org_id": home_org(world, user).pk},
        "out": {"org_id": outside_org(world, user).pk},
    }


# --- what the lists show (``Rule.contents``) ----------------------------------------------------


def _outside_orgs(world: World, user: str) -> list[Organization]:
    """The organisations whose party records a user must not see: the outside one, and for
    济南's party officer and 历下区's bureau also the other city's."""
    found = [outside_org(world, user)]
    if user in ("party", "district"):
        found.append(foreign_org(world, user))
    return found


def listing(name_of: Any) -> Any:
    """Contents builder: the record made for the user's home organisation shows, those of the
    outside organisations do not (the superuser sees them all)."""

    def build(world: World, user: str) -> Any:
        if user not in PARTY:
            return None
        with_assignment(world, user)
        home = name_of(world, home_org(world, user))
        outside = [name_of(world, org) for org in _outside_orgs(world, user)]
        return ([home], []) if user == "admin" else ([home], outside)

    return build


def _missing_name(world: World, org: Organization) -> str:
    """An organisation with 3 formal party members among its staff and no party organisation."""
    world.once(
        ("staff_members", org.pk),
        lambda: StaffPartyMembers.objects.create(organization=org, as_of=D0, formal_members=3),
    )
    return org.name


BRANCHES = listing(lambda w, org: _branch(w, org).name)
STATIONS = listing(lambda w, org: _station(w, org).name)
INSTRUCTORS = listing(lambda w, org: _instructor(w, org).person.name)
MISSING = listing(_missing_name)


def with_year(build: Any) -> Any:
    def wrapped(world: World, user: str) -> dict[str, dict[str, Any]]:
        targets = build(world, user)
        return {scope: {**kwargs, "year": 2024} for scope, kwargs in targets.items()}

    return wrapped


# --- bodies ------------------------------------------------------------------------------------


def branch_form(world: World, user: str, scope: str) -> dict[str, Any]:
    org = _place(world, user, scope)
    return {
        "name": f"矩阵党支部{user}",
        "tier": Tier.OWN_BRANCH,
        "host_organization": org.uscc,
        "established_on": "2024-01-01",
        "formal_members": 3,
        "probationary_members": 0,
        "activists": 0,
    }


def branch_json(world: World, user: str, scope: str) -> dict[str, Any]:
    org = _place(world, user, scope)
    return {
        "name": f"矩阵党支部{user}",
        "tier": "own_branch",
        "host_organization_id": org.pk,
        "established_on": "2024-01-01",
        "formal_members": 3,
    }


def station_form(world: World, user: str, scope: str) -> dict[str, Any]:
    org = _place(world, user, scope)
    _hub(world, org)
    return {
        "name": f"矩阵工作站{user}",
        "host_organization": org.uscc,
        "established_on": "2024-01-01",
        "budget_year": 2024,
        "budget_amount": "100000",
    }


def station_json(world: World, user: str, scope: str) -> dict[str, Any]:
    org = _place(world, user, scope)
    _hub(world, org)
    return {
        "name": f"矩阵工作站{user}",
        "host_organization_id": org.pk,
        "established_on": "2024-01-01",
        "budget_amount": "100000",
    }


def instructor_body(world: World, user: str, scope: str) -> dict[str, Any]:
    org = _place(world, user, scope)
    return {
        "name": f"矩阵指导员{user}",
        "kind": "instructor",
        "region_code": org.address_code,
        "appointed_on": "2024-01-01",
    }


def home_ref_form(field: str, **extra: Any) -> Any:
    def body(world: World, user: str, scope: str) -> dict[str, Any]:
        return {field: home_org(world, user).uscc, **extra}

    return body


def home_ref_json(field: str, **extra: Any) -> Any:
    def body(world: World, user: str, scope: str) -> dict[str, Any]:
        return {field: home_org(world, user).pk, **extra}

    return body


def fixed(**values: Any) -> Any:
    return lambda world, user, scope: dict(values)


EDIT = {"name": "矩阵改名党支部", "tier": "own_branch", "established_on": "2024-01-01"}
COUNTS = {"as_of": "2024-06-01", "formal_members": 5, "probationary_members": 1, "activists": 0}
STAFF = {"as_of": "2024-06-01", "formal_members": 4}
END = {"end_date": "2024-06-01"}
BRANCH = per_user("pk", _branch)
BRANCH_API = per_user("po_id", _branch)

POLICY: dict[str, Rule] = {
    # --- pages ---
    "party:coverage": Rule(PARTY, target=with_assignment),
    "party:missing-list": Rule(PARTY, contents=MISSING),
    "party:organization-list": Rule(PARTY, contents=BRANCHES),
    "party:industry-committee-list": Rule(PARTY, target=with_assignment),
    "party:station-list": Rule(PARTY, contents=STATIONS),
    "party:instructor-list": Rule(PARTY, contents=INSTRUCTORS),
    "party:organization-create": Rule(
        PARTY, target=with_assignment, body=branch_form, scoped_body=True, form_denial=True
    ),
    "party:organization-detail": Rule(PARTY, target=BRANCH),
    "party:organization-edit": Rule(PARTY, target=BRANCH, body=fixed(**EDIT)),
    "party:organization-counts": Rule(PARTY, target=BRANCH, body=fixed(**COUNTS)),
    "party:organization-cover": Rule(
        PARTY,
        target=per_user("pk", _joint),
        body=home_ref_form("organization", start_date="2024-06-01"),
    ),
    "party:organization-dissolve": Rule(
        PARTY, target=BRANCH, body=fixed(dissolved_on="2024-06-01", reason="矩阵测试")
    ),
    "party:coverage-end": Rule(
        PARTY,
        target=per_user("pk", lambda w, org: _branch(w, org).coverages.get()),
        body=fixed(**END),
    ),
    "party:unit-detail": Rule(PARTY, target=units),
    "party:unit-staff-members": Rule(PARTY, target=units, body=fixed(source="年度报告", **STAFF)),
    "party:station-create": Rule(KEEPERS, body=station_form, scoped_body=True, form_denial=True),
    "party:station-detail": Rule(PARTY, target=per_user("pk", _station)),
    "party:station-budget": Rule(
        KEEPERS, target=per_user("pk", _station), body=fixed(year=2024, amount="100000")
    ),
    "party:station-link": Rule(
        KEEPERS,
        target=per_user("pk", _station),
        body=home_ref_form("organization", start_date="2024-06-01"),
    ),
    "party:station-link-end": Rule(KEEPERS, target=per_user("pk", _link), body=fixed(**END)),
    "party:instructor-create": Rule(
        KEEPERS, body=instructor_body, scoped_body=True, form_denial=True
    ),
    "party:instructor-detail": Rule(PARTY, target=per_user("pk", _instructor)),
    "party:instructor-assign": Rule(
        KEEPERS,
        target=per_user("pk", _instructor),
        body=home_ref_form("organization", start_date="2024-06-01"),
    ),
    "party:instructor-end": Rule(
        KEEPERS, target=per_user("pk", _instructor), body=fixed(ended_on="2024-06-01")
    ),
    "party:assignment-end": Rule(KEEPERS, target=per_user("pk", _assignment), body=fixed(**END)),
    # --- API ---
    "party_organizations_list": Rule(PARTY, contents=BRANCHES),
    "party_organizations_create": Rule(
        PARTY, target=with_assignment, body=branch_json, scoped_body=True
    ),
    "party_organizations_detail": Rule(PARTY, target=BRANCH_API),
    "party_organizations_update": Rule(PARTY, target=BRANCH_API, body=fixed(**EDIT)),
    "party_organizations_dissolve": Rule(
        PARTY, target=BRANCH_API, body=fixed(dissolved_on="2024-06-01", reason="矩阵测试")
    ),
    "party_member_counts_list": Rule(PARTY, target=BRANCH_API),
    "party_member_counts_record": Rule(PARTY, target=BRANCH_API, body=fixed(**COUNTS)),
    "party_coverages_list": Rule(PARTY, target=BRANCH_API),
    "party_coverages_add": Rule(
        PARTY,
        target=per_user("po_id", _joint),
        body=home_ref_json("organization_id", start_date="2024-06-01"),
    ),
    "party_coverages_end": Rule(
        PARTY,
        target=per_user("coverage_id", lambda w, org: _branch(w, org).coverages.get()),
        body=fixed(**END),
    ),
    "party_industry_committees_list": Rule(PARTY, target=with_assignment),
    "party_units_detail": Rule(PARTY, target=units),
    "party_staff_members_list": Rule(PARTY, target=units),
    "party_staff_members_record": Rule(PARTY, target=units, body=fixed(**STAFF)),
    "party_missing_list": Rule(PARTY, contents=MISSING),
    "party_uncovered_list": Rule(PARTY, target=with_assignment),
    "party_coverage_figures": Rule(PARTY, target=with_assignment),
    "party_stations_list": Rule(PARTY, contents=STATIONS),
    "party_stations_create": Rule(KEEPERS, body=station_json, scoped_body=True),
    "party_stations_detail": Rule(PARTY, target=per_user("station_id", _station)),
    "party_stations_budget_set": Rule(
        KEEPERS, target=with_year(per_user("station_id", _station)), body=fixed(amount="100000")
    ),
    "party_stations_links_list": Rule(PARTY, target=per_user("station_id", _station)),
    "party_stations_link": Rule(
        KEEPERS,
        target=per_user("station_id", _station),
        body=home_ref_json("organization_id", start_date="2024-06-01"),
    ),
    "party_stations_link_end": Rule(KEEPERS, target=per_user("link_id", _link), body=fixed(**END)),
    "party_instructors_list": Rule(PARTY, contents=INSTRUCTORS),
    "party_instructors_create": Rule(KEEPERS, body=instructor_body, scoped_body=True),
    "party_instructors_detail": Rule(PARTY, target=per_user("instructor_id", _instructor)),
    "party_instructors_end": Rule(
        KEEPERS, target=per_user("instructor_id", _instructor), body=fixed(ended_on="2024-06-01")
    ),
    "party_instructors_assignments_list": Rule(
        PARTY, target=per_user("instructor_id", _instructor)
    ),
    "party_instructors_assign": Rule(
        KEEPERS,
        target=per_user("instructor_id", _instructor),
        body=home_ref_json("organization_id", start_date="2024-06-01"),
    ),
    "party_assignments_end": Rule(
        KEEPERS, target=per_user("assignment_id", _assignment), body=fixed(**END)
    ),
    "party_caseload": Rule(PARTY, target=with_assignment),
}
