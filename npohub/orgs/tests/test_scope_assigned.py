"""The scope's grant-role questions: what a user is assigned, and the accounts of organisations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from npohub.accounts.models import Role
from npohub.accounts.tests.factories import UserFactory
from npohub.orgs.models import AccessReason, Organization, OrganizationAccess
from npohub.orgs.scope import organizations_accounts, scope_of
from npohub.orgs.tests.factories import grant

pytestmark = pytest.mark.django_db


def _assigned(user, reason=AccessReason.PARTY) -> set[int]:
    ids = scope_of(user).assigned_ids(reason=reason)
    return set(Organization.objects.filter(pk__in=ids).values_list("pk", flat=True))


def test_a_party_officer_is_assigned_its_granted_organisations_inside_its_region_only(cast, orgs):
    officer = cast["party"]  # region 济南
    grant(officer, orgs["assoc"], AccessReason.PARTY)
    grant(officer, orgs["qingdao"], AccessReason.PARTY)  # outside 济南: gives nothing
    grant(officer, orgs["far"], AccessReason.ASSIGNED)  # another reason
    assert _assigned(officer) == {orgs["assoc"].pk}
    scope = scope_of(officer)
    assert scope.is_assigned(orgs["assoc"], reason=AccessReason.PARTY)
    assert not scope.is_assigned(orgs["qingdao"], reason=AccessReason.PARTY)
    assert not scope.is_assigned(orgs["far"], reason=AccessReason.PARTY)
    assert not scope.is_assigned(orgs["other"], reason=AccessReason.PARTY)


def test_without_a_region_the_grants_alone_decide_and_ended_grants_count_for_nothing(orgs):
    officer = UserFactory(role=Role.PARTY_OFFICER)
    grant(officer, orgs["qingdao"], AccessReason.PARTY)
    grant(officer, orgs["far"], AccessReason.PARTY)
    OrganizationAccess.objects.filter(user=officer, organization=orgs["far"]).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert _assigned(officer) == {orgs["qingdao"].pk}
    assert not scope_of(officer).is_assigned(orgs["far"], reason=AccessReason.PARTY)


def test_anonymous_visitors_are_assigned_nothing(orgs):
    from django.contrib.auth.models import AnonymousUser

    assert _assigned(AnonymousUser()) == set()
    assert not scope_of(AnonymousUser()).is_assigned(orgs["assoc"], reason=AccessReason.PARTY)


def test_the_accounts_of_several_organisations_are_their_valid_own_grants(cast, orgs):
    assert list(organizations_accounts([orgs["assoc"].pk, orgs["other"].pk])) == [
        cast["org_user"],
        cast["org_user_out"],
    ]
    OrganizationAccess.objects.filter(user=cast["org_user_out"]).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    cast["org_user"].is_active = False
    cast["org_user"].save(update_fields=["is_active"])
    assert list(organizations_accounts([orgs["assoc"].pk, orgs["other"].pk])) == []
