"""The one scope: each question apps ask of a user's scope, answered once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from npohub.orgs.models import AccessReason, Organization, OrganizationAccess
from npohub.orgs.scope import organization_accounts, scope_of

pytestmark = pytest.mark.django_db


def test_a_district_bureau_is_the_bureau_of_its_places_and_of_what_its_authority_registered(
    cast, orgs
):
    district = scope_of(cast["district"])
    assert district.is_bureau and district.bureau_prefix == cast["district"].scope_prefix
    assert district.is_bureau_for_org(orgs["assoc"])
    assert district.is_registering_bureau_for(orgs["assoc"])
    assert not district.is_bureau_for_org(orgs["far"])
    assert not scope_of(cast["district_out"]).is_bureau_for_org(orgs["assoc"])


def test_a_street_covers_its_places_but_is_no_bureau(cast, orgs):
    street = scope_of(cast["street"])
    assert street.covers(orgs["assoc"].address_code)
    assert not street.is_bureau_for(orgs["assoc"].address_code)
    assert street.bureau_prefix is None
    assert not scope_of(cast["street_out"]).covers(orgs["assoc"].address_code)


def test_grant_roles_and_anonymous_visitors_cover_no_place(cast, orgs):
    for who in ("hub", "reviewer", "org_user", "party"):
        assert not scope_of(cast[who]).covers(orgs["assoc"].address_code), who
    anonymous = scope_of(AnonymousUser())
    assert not anonymous.signed_in and not anonymous.covers("370102")
    assert not anonymous.sees_organization(orgs["assoc"])


def test_the_superuser_covers_everything(cast, orgs):
    admin = scope_of(cast["admin"])
    assert admin.everything and admin.bureau_prefix == ""
    assert admin.is_bureau_for_org(orgs["qingdao"]) and admin.organizations_q() is None


def test_an_organisation_account_owns_only_while_its_grant_is_valid(cast, orgs):
    org_user = scope_of(cast["org_user"])
    assert org_user.owns(orgs["assoc"].pk)
    assert not org_user.owns(orgs["other"].pk)
    OrganizationAccess.objects.filter(user=cast["org_user"]).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert not org_user.owns(orgs["assoc"].pk)
    assert org_user.owns(orgs["assoc"].pk, on=timezone.localdate() - dt.timedelta(days=2))


def test_the_list_filter_and_the_one_record_check_agree_for_every_role(cast, orgs):
    for who, user in cast.items():
        scope = scope_of(user)
        q = scope.organizations_q()
        listed = set(
            (
                Organization.objects.all() if q is None else Organization.objects.filter(q)
            ).values_list("pk", flat=True)
        )
        for org in orgs.values():
            if scope.sees_organization(org):
                assert org.pk in listed, (who, org.name)


def test_the_accounts_of_an_organisation_are_its_valid_own_grants(cast, orgs):
    assert organization_accounts(orgs["assoc"].pk) == [cast["org_user"]]
    OrganizationAccess.objects.filter(reason=AccessReason.OWN, organization=orgs["assoc"]).update(
        valid_from=timezone.localdate() + dt.timedelta(days=1)
    )
    assert organization_accounts(orgs["assoc"].pk) == []
