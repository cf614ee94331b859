"""Street federations: one per street, chaired by the street head, coverage figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from npohub.core.errors import Conflict, PermissionDenied, ValidationFailed
from npohub.hubs import services
from npohub.hubs.models import Federation, Hub, HubKind
from npohub.hubs.selectors import federation_coverage, is_federation_staff_for_street
from npohub.orgs.tests.factories import OrganizationFactory
from npohub.regions.tests.factories import region

pytestmark = pytest.mark.django_db
DAY0 = dt.date(2024, 1, 1)


def make_federation(actor, street, org, *, head: bool = True):
    return services.federation_create(
        actor=actor,
        street=street,
        organization=org,
        data=services.FederationInput(
            established_on=DAY0,
            decision_number=f"{street.name}〔2024〕1号",
            chair_name="王主任" if head else "李会长",
            chair_title="街道办事处主任" if head else "",
            chaired_by_street_head=head,
        ),
    )


def test_a_federation_is_a_street_level_hub_chaired_by_the_head(cast, regions):
    org = OrganizationFactory(name="解放路街道社区社会组织联合会", community=regions["c_jfq1"])
    fed = make_federation(cast["street"], regions["jiefangqiao"], org)
    assert fed.hub.kind == HubKind.STREET
    assert fed.hub.scope_prefix == "370102001"
    assert (fed.chair.name, fed.chaired_by_street_head) == ("王主任", True)


def test_a_second_federation_for_the_same_street_is_refused_and_nothing_is_stored(cast, regions):
    make_federation(
        cast["street"], regions["jiefangqiao"], OrganizationFactory(community=regions["c_jfq1"])
    )
    second = OrganizationFactory(community=regions["c_jfq2"])
    before = (Federation.objects.count(), Hub.objects.count())
    with pytest.raises(Conflict) as exc:
        make_federation(cast["street"], regions["jiefangqiao"], second)
    assert exc.value.code == "federation_exists"
    assert exc.value.message == "解放路街道已有联合会，每个街道只能有一个"
    assert (Federation.objects.count(), Hub.objects.count()) == before


def test_a_federation_organisation_must_sit_in_the_street(cast, regions):
    elsewhere = OrganizationFactory(community=regions["c_qfs1"])
    with pytest.raises(ValidationFailed) as exc:
        make_federation(cast["street"], regions["jiefangqiao"], elsewhere)
    assert exc.value.message == "联合会须是该街道内的组织"
    assert not Federation.objects.exists()


def test_another_street_cannot_set_up_the_federation(cast, regions):
    with pytest.raises(PermissionDenied) as exc:
        make_federation(
            cast["street_out"],
            regions["jiefangqiao"],
            OrganizationFactory(community=regions["c_jfq1"]),
        )
    assert exc.value.message == "只有本街道或上级民政部门可以管理联合会"
    assert not Federation.objects.exists()


def test_federation_staff_answer_for_their_street(cast, regions):
    org = OrganizationFactory(community=regions["c_jfq1"])
    fed = make_federation(cast["street"], regions["jiefangqiao"], org)
    services.hub_staff_add(actor=cast["street"], hub=fed.hub, user=cast["hub"])
    assert is_federation_staff_for_street(cast["hub"], "370102001000")
    assert not is_federation_staff_for_street(cast["hub"], "370102002000")


def test_coverage_figures_equal_a_direct_count(cast, regions):
    """历下区 has 2 streets + 5 more made here = 7, 章丘区 1 + 1 = 2: 9 streets.
    Federations: 5 in 历下 (4 chaired by the head), 1 in 章丘 (chaired by the head)."""
    lixia_streets = [regions["jiefangqiao"], regions["qianfoshan"]] + [
        region(f"37010200{n}", f"历下第{n}街道") for n in range(3, 8)
    ]
    zq_streets = [regions["mingshui"], region("370114002", "双山街道")]
    for i, street in enumerate(lixia_streets[:5]):
        community = region(street.code[:9] + "901", f"{street.name}社区", urban=True)
        org = OrganizationFactory(community=community)
        make_federation(cast["city"], street, org, head=i != 0)
    make_federation(
        cast["city"], zq_streets[0], OrganizationFactory(community=regions["c_ms_village"])
    )

    city = federation_coverage("3701")
    total = city["total"]
    assert (total.streets, total.with_federation, total.chaired_by_head) == (9, 6, 5)
    assert total.coverage == Decimal("66.7")
    assert total.head_chair_share == Decimal("83.3")
    rows = {row.code: row for row in city["rows"]}
    assert (rows["370102"].streets, rows["370102"].with_federation) == (7, 5)
    assert rows["370102"].coverage == Decimal("71.4")
    assert rows["370102"].head_chair_share == Decimal("80.0")
    assert rows["370102"].name == "历下区"
    assert (rows["370114"].coverage, rows["370114"].head_chair_share) == (
        Decimal("50.0"),
        Decimal("100.0"),
    )
    street = federation_coverage("370102001", group_level=4)["total"]
    assert (street.streets, street.with_federation, street.coverage) == (1, 1, Decimal("100.0"))
    # The same figures by a direct count of the records.
    direct = Federation.objects.filter(street_code__startswith="3701", dissolved_on__isnull=True)
    assert direct.count() == total.with_federation
    assert direct.filter(chaired_by_street_head=True).count() == total.chaired_by_head


def test_coverage_reads_in_a_bounded_number_of_queries(
    cast, regions, django_assert_max_num_queries
):
    for street in (regions["jiefangqiao"], regions["qianfoshan"]):
        community = region(street.code[:9] + "901", f"{street.name}社区", urban=True)
        make_federation(cast["city"], street, OrganizationFactory(community=community))
    with django_assert_max_num_queries(3):
        federation_coverage("3701")
