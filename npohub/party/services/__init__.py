"""Writes on party building. Each service checks permissions.py and the §9 rules, writes in one
transaction and records one audit event; the credit hook runs after commit.

- ``rules``: the §9 checks shared by every write, and ``PartyOrganizationInput``.
- ``organizations``: party organisations, member counts, coverage, staff party members.
- ``stations``: work stations, their budgets and links.
- ``instructors``: instructors and liaisons, and their assignments.

Callers import from here (``from npohub.party import services``) or from the submodule.
"""

from .instructors import (
    instructor_assign,
    instructor_assignment_end,
    instructor_create,
    instructor_end,
)
from .organizations import (
    party_coverage_add,
    party_coverage_end,
    party_member_count_record,
    party_organization_create,
    party_organization_dissolve,
    party_organization_update,
    staff_party_members_record,
)
from .rules import (
    PartyOrganizationInput,
)
from .stations import (
    work_station_budget_set,
    work_station_create,
    work_station_link_add,
    work_station_link_end,
)

__all__ = [
    "PartyOrganizationInput",
    "instructor_assign",
    "instructor_assignment_end",
    "instructor_create",
    "instructor_end",
    "party_coverage_add",
    "party_coverage_end",
    "party_member_count_record",
    "party_organization_create",
    "party_organization_dissolve",
    "party_organization_update",
    "staff_party_members_record",
    "work_station_budget_set",
    "work_station_create",
    "work_station_link_add",
    "work_station_link_end",
]
