"""Permission-matrix rules for the party app (merged into tests/test_permission_matrix.py).

Party data is strict: only party-building officers (``party``, region 济南) and the bureaus see
it, each inside their own region; every other role gets the 404 of a missing page. Each allowed
user acts on objects of their own region ("in": the association in 历下区 for the 济南/历下
users, the one in 章丘 for ``district_out``, the one in 青岛 for ``qingdao``) and gets a 404 for
one outside it ("out").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from npohub.hubs.models import Hub, HubKind
from npohub.orgs.models import Organization, Person
from npohub.party.models import (
    Instructor,
    InstructorAssignment,
    PartyCoverage,
    PartyOrganization,
    Tier,
    WorkStation,
    WorkStationLink,
)
from tests.matrix import Rule, World, foreign_org

D0 = dt.date(2024, 1, 1)
# Who sees party data: the superuser, the bureaus (each in its region) and the party officer.
PARTY = frozenset({"admin", "city", "district", "district_out", "qingdao", "party"})
HOME = {"district_out": "far", "qingdao": "qingdao"}


def home_org(world: World, user: str) -> Organization:
    return world.orgs[HOME.get(user, "assoc")]


def _place(world: World, user: str, scope: str) -> Organization:
    return home_org(world, user) if scope == "in" else foreign_org(world, user)


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
    return world.once(
        ("joint", org.pk),
        lambda: PartyOrganization.objects.create(
            name="矩阵联合党支部",
            tier=Tier.JOINT_BRANCH,
            region_code=org.address_code,
            established_on=D0,
            formal_members=3,
        ),
    )


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
            name="矩阵党建工作站",
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
    return world.once(
        ("instructor", org.pk),
        lambda: Instructor.objects.create(
            person=Person.objects.create(name="矩阵指导员"),
            region_code=org.address_code,
            appointed_on=D0,
        ),
    )


def _assignment(world: World, org: Organization) -> InstructorAssignment:
    return world.once(
        ("assignment", org.pk),
        lambda: InstructorAssignment.objects.create(
            instructor=_instructor(world, org), organization=org, start_date=D0
        ),
    )


def per_user(param: str, make: Any) -> Any:
    """Target builder: the object made for the user's home organisation, and for a foreign one."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        return {
            "in": {param: make(world, home_org(world, user)).pk},
            "out": {param: make(world, foreign_org(world, user)).pk},
        }

    return build


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
    "party:coverage": Rule(PARTY),
    "party:missing-list": Rule(PARTY),
    "party:organization-list": Rule(PARTY),
    "party:industry-committee-list": Rule(PARTY),
    "party:station-list": Rule(PARTY),
    "party:instructor-list": Rule(PARTY),
    "party:organization-create": Rule(PARTY, body=branch_form, scoped_body=True, form_denial=True),
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
    "party:unit-detail": Rule(
        PARTY,
        target=lambda w, u: {
            "in": {"org_id": home_org(w, u).pk},
            "out": {"org_id": foreign_org(w, u).pk},
        },
    ),
    "party:unit-staff-members": Rule(
        PARTY,
        target=lambda w, u: {
            "in": {"org_id": home_org(w, u).pk},
            "out": {"org_id": foreign_org(w, u).pk},
        },
        body=fixed(source="年度报告", **STAFF),
    ),
    "party:station-create": Rule(PARTY, body=station_form, scoped_body=True, form_denial=True),
    "party:station-detail": Rule(PARTY, target=per_user("pk", _station)),
    "party:station-budget": Rule(
        PARTY, target=per_user("pk", _station), body=fixed(year=2024, amount="100000")
    ),
    "party:station-link": Rule(
        PARTY,
        target=per_user("pk", _station),
        body=home_ref_form("organization", start_date="2024-06-01"),
    ),
    "party:station-link-end": Rule(PARTY, target=per_user("pk", _link), body=fixed(**END)),
    "party:instructor-create": Rule(
        PARTY, body=instructor_body, scoped_body=True, form_denial=True
    ),
    "party:instructor-detail": Rule(PARTY, target=per_user("pk", _instructor)),
    "party:instructor-assign": Rule(
        PARTY,
        target=per_user("pk", _instructor),
        body=home_ref_form("organization", start_date="2024-06-01"),
    ),
    "party:instructor-end": Rule(
        PARTY, target=per_user("pk", _instructor), body=fixed(ended_on="2024-06-01")
    ),
    "party:assignment-end": Rule(PARTY, target=per_user("pk", _assignment), body=fixed(**END)),
    # --- API ---
    "party_organizations_list": Rule(PARTY),
    "party_organizations_create": Rule(PARTY, body=branch_json, scoped_body=True),
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
    "party_industry_committees_list": Rule(PARTY),
    "party_units_detail": Rule(
        PARTY,
        target=lambda w, u: {
            "in": {"org_id": home_org(w, u).pk},
            "out": {"org_id": foreign_org(w, u).pk},
        },
    ),
    "party_staff_members_list": Rule(
        PARTY,
        target=lambda w, u: {
            "in": {"org_id": home_org(w, u).pk},
            "out": {"org_id": foreign_org(w, u).pk},
        },
    ),
    "party_staff_members_record": Rule(
        PARTY,
        target=lambda w, u: {
            "in": {"org_id": home_org(w, u).pk},
            "out": {"org_id": foreign_org(w, u).pk},
        },
        body=fixed(**STAFF),
    ),
    "party_missing_list": Rule(PARTY),
    "party_uncovered_list": Rule(PARTY),
    "party_coverage_figures": Rule(PARTY),
    "party_stations_list": Rule(PARTY),
    "party_stations_create": Rule(PARTY, body=station_json, scoped_body=True),
    "party_stations_detail": Rule(PARTY, target=per_user("station_id", _station)),
    "party_stations_budget_set": Rule(
        PARTY, target=with_year(per_user("station_id", _station)), body=fixed(amount="100000")
    ),
    "party_stations_links_list": Rule(PARTY, target=per_user("station_id", _station)),
    "party_stations_link": Rule(
        PARTY,
        target=per_user("station_id", _station),
        body=home_ref_json("organization_id", start_date="2024-06-01"),
    ),
    "party_stations_link_end": Rule(PARTY, target=per_user("link_id", _link), body=fixed(**END)),
    "party_instructors_list": Rule(PARTY),
    "party_instructors_create": Rule(PARTY, body=instructor_body, scoped_body=True),
    "party_instructors_detail": Rule(PARTY, target=per_user("instructor_id", _instructor)),
    "party_instructors_end": Rule(
        PARTY, target=per_user("instructor_id", _instructor), body=fixed(ended_on="2024-06-01")
    ),
    "party_instructors_assignments_list": Rule(
        PARTY, target=per_user("instructor_id", _instructor)
    ),
    "party_instructors_assign": Rule(
        PARTY,
        target=per_user("instructor_id", _instructor),
        body=home_ref_json("organization_id", start_date="2024-06-01"),
    ),
    "party_assignments_end": Rule(
        PARTY, target=per_user("assignment_id", _assignment), body=fixed(**END)
    ),
    "party_caseload": Rule(PARTY),
}
