"""The one scope's questions about people: who is granted an organisation, which users' region
holds a place, and the region a user belongs to whatever the role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from npohub.accounts.models import BUREAU_ROLES, Role
from npohub.orgs.models import AccessReason, OrganizationAccess
from npohub.orgs.scope import organization_grantees, region_users, scope_of

pytestmark = pytest.mark.django_db


def test_the_grantees_of_an_organisation_are_its_valid_grants_of_that_reason(cast, orgs):
    assoc = orgs["assoc"]
    assert [u.username for u in organization_grantees(assoc.pk, reason=AccessReason.OWN)] == [
        "org_user"
    ]
    assert [
        u.username for u in organization_grantees(assoc.pk, reason=AccessReason.SUPERVISED)
    ] == ["reviewer"]
    OrganizationAccess.objects.filter(user=cast["reviewer"]).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert organization_grantees(assoc.pk, reason=AccessReason.SUPERVISED) == []
    cast["org_user"].is_active = False
    cast["org_user"].save()
    assert organization_grantees(assoc.pk, reason=AccessReason.OWN) == []


def test_the_users_whose_region_holds_a_place_are_its_region_and_the_ones_above(cast, orgs):
    code = orgs["assoc"].address_code
    bureaus = {u.username for u in region_users(code, roles=BUREAU_ROLES)}
    # 济南 (city, and the superuser holding a city role) and 历下 (district); not 章丘, not 青岛.
    assert bureaus == {"admin", "city", "district"}
    streets = {u.username for u in region_users(code, roles=[Role.STREET_OFFICER])}
    assert streets == {"street"}


def test_the_home_code_is_the_users_region_whatever_the_role(cast):
    assert scope_of(cast["reviewer"]).home_code == cast["reviewer"].scope_prefix != ""
    assert scope_of(cast["reviewer"]).prefix == ""  # a grant role covers no place
    assert scope_of(cast["district"]).home_code == scope_of(cast["district"]).prefix
    assert scope_of(AnonymousUser()).home_code == ""
