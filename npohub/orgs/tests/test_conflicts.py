"""Conflicts of interest, decided once for every panel: the ties the registry shows between a
person (by ID number) and an organisation, and who may declare a conflict for a person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from npohub.orgs.conflicts import (
    LEGAL_REPRESENTATIVE,
    OFFICER,
    can_declare_conflict,
    ties_between,
)
from npohub.orgs.models import Officer, OfficerPosition, Person

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
OTHER_ID = "370102198001011234"


def _officer(org, id_number: str, *, ended: dt.date | None) -> Officer:
    person = Person.objects.create(name="前秘书长", id_number=id_number)
    return Officer.objects.create(
        organization=org,
        person=person,
        position=OfficerPosition.SECRETARY_GENERAL,
        end_date=ended,
    )


def test_an_officer_who_left_within_the_look_back_is_tied_and_one_who_left_before_is_not(orgs):
    org = orgs["assoc"]
    _officer(org, ID, ended=dt.date(2024, 3, 1))
    cutoff = dt.date(2024, 3, 1)  # leaving on the cut-off day is outside the look-back
    assert ties_between([ID], [org], left_after=cutoff) == []
    [tie] = ties_between([ID], [org], left_after=dt.date(2024, 2, 29))
    assert (tie.kind, tie.organization_id, tie.id_number) == (OFFICER, org.pk, ID)
    assert tie.position_label == "秘书长" and tie.ended_on == dt.date(2024, 3, 1)


def test_without_a_look_back_every_officer_past_or_present_is_tied(orgs):
    org = orgs["assoc"]
    _officer(org, ID, ended=dt.date(2001, 1, 1))
    _officer(org, OTHER_ID, ended=None)
    ties = ties_between([ID, OTHER_ID], [org])
    assert sorted(t.id_number for t in ties) == sorted([ID, OTHER_ID])
    assert {t.kind for t in ties} == {OFFICER}


def test_the_legal_representative_is_tied_after_the_officers(orgs):
    org = orgs["assoc"]
    representative = org.legal_representative
    representative.id_number = ID
    representative.save()
    Officer.objects.create(organization=org, person=representative, position=OfficerPosition.CHAIR)
    ties = ties_between([ID], [org, orgs["other"]], left_after=dt.date(2020, 1, 1))
    assert [(t.kind, t.organization_id) for t in ties] == [
        (OFFICER, org.pk),
        (LEGAL_REPRESENTATIVE, org.pk),
    ]


def test_people_without_an_id_number_or_other_organisations_are_never_tied(orgs):
    org = orgs["assoc"]
    _officer(org, ID, ended=None)
    assert ties_between(["", ""], [org]) == []
    assert ties_between([ID], [orgs["other"]]) == []
    assert ties_between([ID], []) == []


def test_the_person_and_the_register_keeper_declare_a_conflict_and_nobody_else(cast):
    person = cast["expert"]

    def decide(user, *, keeps: bool = False):
        return can_declare_conflict(
            user, declarant_id=person.pk, keeps_register=keeps, refusal="只有本人或登记机关"
        )

    assert decide(person)
    assert decide(cast["district"], keeps=True)
    refused = decide(cast["district_out"])
    assert not refused and refused.reason == "只有本人或登记机关"
    anonymous = decide(AnonymousUser(), keeps=True)
    assert not anonymous and anonymous.reason == "请先登录"
