"""Conflicts of interest between a person and an organisation, decided once for every panel.

Whoever judges an organisation — an assessment expert (``ratings``), a spot-check inspector
(``inspections``), a review panel member — withdraws (回避) from an organisation they are tied
to. Two parts are the same everywhere and live here:

- the tie found in the registry (:func:`ties_between`): the person's ID number is among the
  organisation's officers (still in office, or who left within a look-back the caller chooses;
  any time when it chooses none) or is its legal representative;
- who may declare a conflict for a person (:func:`can_declare_conflict`): the person, or whoever
  keeps the register the person is on (a bureau's expert pool, inspector list …).

Each app keeps its own declarations (permanent for experts, withdrawable for inspectors) and
its own other reasons (recorded affiliations, the inspector's department being the supervisory
unit), and words each tie for its own log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _

from npohub.core.permissions import ALLOW, Decision, deny

from .models import Officer, OfficerPosition, Organization
from .scope import scope_of

if TYPE_CHECKING:
    from npohub.accounts.models import User

# The kinds of tie.
OFFICER = "officer"
LEGAL_REPRESENTATIVE = "legal_representative"

POSITION_LABELS = dict(OfficerPosition.choices)


@dataclass(frozen=True)
class Tie:
    """One reason a person (known by ID number) is tied to an organisation."""

    id_number: str
    organization_id: int
    kind: str  # OFFICER or LEGAL_REPRESENTATIVE
    position_label: str = ""  # the office held, in words (officers only)
    ended_on: dt.date | None = None  # when the officer left (None: still in office)


def ties_between(
    id_numbers: Iterable[str],
    organizations: Iterable[Organization],
    *,
    left_after: dt.date | None = None,
) -> list[Tie]:
    """The ties between the people with these ID numbers and these organisations: officers
    first (in the registry's order of offices), then legal representatives (in the order of
    ``organizations``). One query for the officers; the legal representatives are read from
    the organisations (select them with ``legal_representative``).

    ``left_after`` is the look-back: an officer who left on or before that day no longer counts
    (experts: two years before the assessment); None counts every officer, past or present.
    """
    numbers = {number for number in id_numbers if number}
    orgs = list(organizations)
    if not numbers or not orgs:
        return []
    officers = Officer.objects.filter(
        organization_id__in=[org.pk for org in orgs], person__id_number__in=sorted(numbers)
    )
    if left_after is not None:
        officers = officers.filter(Q(end_date__isnull=True) | Q(end_date__gt=left_after))
    ties = [
        Tie(
            id_number=number,
            organization_id=org_id,
            kind=OFFICER,
            position_label=str(POSITION_LABELS.get(position, position)),
            ended_on=ended_on,
        )
        for org_id, number, position, ended_on in officers.values_list(
            "organization_id", "person__id_number", "position", "end_date"
        )
    ]
    for org in orgs:
        representative = org.legal_representative
        if representative is not None and representative.id_number in numbers:
            ties.append(
                Tie(
                    id_number=representative.id_number,
                    organization_id=org.pk,
                    kind=LEGAL_REPRESENTATIVE,
                )
            )
    return ties


def can_declare_conflict(
    user: User | AnonymousUser, *, declarant_id: int, keeps_register: bool, refusal: str
) -> Decision:
    """The person declares (and withdraws) their own conflicts of interest; whoever keeps the
    register they are on records them too (``keeps_register``, the app's own answer). Others
    are refused with the app's ``refusal``."""
    scope = scope_of(user)
    if scope.user is None:
        return deny(_("请先登录"))
    if scope.user.pk == declarant_id or keeps_register:
        return ALLOW
    return deny(refusal)


__all__ = [
    "LEGAL_REPRESENTATIVE",
    "OFFICER",
    "Tie",
    "can_declare_conflict",
    "ties_between",
]
