from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from npohub.core.validators import uscc_check_character
from npohub.orgs.models import Category, Kind, Organization, OrganizationAccess, Person, Status
from npohub.orgs.search import name_initials, name_pinyin


def make_uscc(kind_digit: str, division6: str, serial: int) -> str:
    body = f"5{kind_digit}{division6}{serial:08d}"
    # position 17 is the old organisation-code check digit: any digit will do for fixtures
    first17 = body[:16] + str(serial % 10)
    return first17 + uscc_check_character(first17)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A registered association in the given community (pass ``community``)."""

    class Meta:
        model = Organization

    kind = Kind.ASSOCIATION
    name = factory.Sequence(lambda n: f"历下区第{n}志愿服务协会")
    name_initials = factory.LazyAttribute(lambda o: name_initials(o.name))
    name_pinyin = factory.LazyAttribute(lambda o: name_pinyin(o.name))
    uscc = factory.Sequence(lambda n: make_uscc("1", "370102", n + 1))
    category = factory.LazyFunction(lambda: Category.objects.get(code="volunteer"))
    address_code = factory.LazyAttribute(
        lambda o: o.community.code if o.community else "370102000000"
    )
    address = "济南市历下区解放路1号"
    supervisory_unit = "济南市历下区民政局"
    registered_funds = Decimal("30000")
    purpose = "服务社区"
    business_scope = "志愿服务"
    activity_area = "历下区"
    registration_date = dt.date(2020, 5, 1)
    status = Status.ACTIVE
    legal_representative = factory.SubFactory(PersonFactory)


class CommunityGroupFactory(OrganizationFactory):
    kind = Kind.COMMUNITY_GROUP
    uscc = None
    name = factory.Sequence(lambda n: f"解放桥社区第{n}舞蹈队")
    supervisory_unit = ""
    registered_funds = None
    legal_representative = None


def grant(user, org, reason: str = "own", can_edit: bool = False) -> OrganizationAccess:
    return OrganizationAccess.objects.create(
        user=user, organization=org, reason=reason, can_edit=can_edit
    )
