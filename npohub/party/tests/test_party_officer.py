"""The party officer is a grant role (issue 20, finding 4): it sees the party data of the units it
is assigned (``party`` grants, inside its region) and what touches them, nothing else of its
region; it keeps its units' party records, while work stations and instructors are the bureau's."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from npohub.core.errors import PermissionDenied
from npohub.core.models import AuditEvent
from npohub.party import services
from npohub.party.models import Instructor, WorkStation, WorkStationLink

from .factories import D0, assign, hub_for, instructor, party_org, staff_members

pytestmark = pytest.mark.django_db
API = "/api/v1/party"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(cast, orgs):
    """济南's party officer is assigned the association of 解放桥 and the 青岛 one (outside its
    region); the calligraphy association of 千佛山 (same district) and the 章丘 one it is not."""
    officer = cast["party"]
    assign(officer, orgs["assoc"], orgs["qingdao"])
    for org, formal in ((orgs["assoc"], 4), (orgs["other"], 5), (orgs["far"], 6)):
        staff_members(org, formal)
    mine = party_org(host=orgs["assoc"], name="养老服务协会党支部")
    theirs = party_org(host=orgs["other"], name="书法协会党支部")
    far = party_org(host=orgs["qingdao"], name="志愿者协会党支部")
    hub_for(orgs["group"])
    station = WorkStation.objects.create(
        name="解放桥党建工作站",
        host_organization=orgs["group"],
        region_code="370102001002",
        established_on=D0,
    )
    WorkStationLink.objects.create(station=station, organization=orgs["assoc"], start_date=D0)
    hub_for(orgs["far"])
    other_station = WorkStation.objects.create(
        name="章丘党建工作站",
        host_organization=orgs["far"],
        region_code="370114000000",
        established_on=D0,
    )
    mine_ins = instructor(orgs["assoc"], region_code="370102000000")
    mine_ins.person.name = "李指导"
    mine_ins.person.save()
    theirs_ins = instructor(orgs["other"], region_code="370102000000")
    theirs_ins.person.name = "周指导"
    theirs_ins.person.save()
    return {
        "mine": mine,
        "theirs": theirs,
        "far": far,
        "station": station,
        "other_station": other_station,
        "mine_ins": mine_ins,
        "theirs_ins": theirs_ins,
    }


def test_the_party_lists_show_the_officer_its_own_units_only(cast, orgs, world):
    client = client_for(cast["party"])
    page = client.get(reverse("party:organization-list")).content.decode()
    assert "养老服务协会党支部" in page
    assert "书法协会党支部" not in page and "志愿者协会党支部" not in page
    listed = client.get(f"{API}/organizations").json()["results"]
    assert [po["name"] for po in listed] == ["养老服务协会党支部"]
    stations = client.get(reverse("party:station-list")).content.decode()
    assert "解放桥党建工作站" in stations and "章丘党建工作站" not in stations
    assert [s["name"] for s in client.get(f"{API}/stations").json()["results"]] == [
        "解放桥党建工作站"
    ]
    instructors = client.get(reverse("party:instructor-list")).content.decode()
    assert "李指导" in instructors and "周指导" not in instructors
    assert client.get(f"{API}/instructors").json()["count"] == 1
    staff_members(orgs["group"], 3)  # no party organisation: 应建未建, like 章丘's (6 members)
    missing = client.get(f"{API}/missing").json()["results"]
    assert missing == []
    assign(cast["party"], orgs["group"])
    missing = client.get(f"{API}/missing").json()["results"]
    assert [r["organization"]["id"] for r in missing] == [orgs["group"].pk]


def test_records_outside_the_officers_units_are_missing_pages_for_it(cast, orgs, world):
    client = client_for(cast["party"])
    for url in (
        reverse("party:organization-detail", args=[world["theirs"].pk]),
        reverse("party:organization-detail", args=[world["far"].pk]),  # assigned, outside 济南
        reverse("party:unit-detail", args=[orgs["other"].pk]),
        reverse("party:unit-detail", args=[orgs["qingdao"].pk]),
        reverse("party:station-detail", args=[world["other_station"].pk]),
        reverse("party:instructor-detail", args=[world["theirs_ins"].pk]),
        f"{API}/organizations/{world['theirs'].pk}",
        f"{API}/units/{orgs['other'].pk}",
        f"{API}/instructors/{world['theirs_ins'].pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("party:organization-detail", args=[world["mine"].pk]),
        reverse("party:unit-detail", args=[orgs["assoc"].pk]),
        reverse("party:station-detail", args=[world["station"].pk]),
        reverse("party:instructor-detail", args=[world["mine_ins"].pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_officers_coverage_figures_count_its_units_only(cast, world):
    body = client_for(cast["party"]).get(f"{API}/coverage?region=370102").json()
    assert body["total"]["organizations"] == 1
    assert body["total"]["should_have"] == 1 and body["total"]["formed"] == 1
    district = client_for(cast["district"]).get(f"{API}/coverage?region=370102").json()
    assert district["total"]["organizations"] == 3


def test_the_officer_keeps_its_units_party_records_but_not_another_units(cast, orgs, world):
    client = client_for(cast["party"])
    counts = {"as_of": "2024-06-01", "formal_members": 5, "probationary_members": 0}
    mine = client.post(
        f"{API}/organizations/{world['mine'].pk}/member-counts",
        data=json.dumps(counts),
        content_type="application/json",
    )
    assert mine.status_code == 201
    events = AuditEvent.objects.count()
    theirs = client.post(
        f"{API}/organizations/{world['theirs'].pk}/member-counts",
        data=json.dumps(counts),
        content_type="application/json",
    )
    assert theirs.status_code == 404
    assert world["theirs"].member_counts.count() == 0
    with pytest.raises(PermissionDenied):
        services.party_member_count_record(
            actor=cast["party"], po=world["theirs"], as_of=D0, formal_members=9
        )
    assert AuditEvent.objects.count() == events


def test_work_stations_and_instructors_are_kept_by_the_bureau_not_the_officer(cast, orgs, world):
    client = client_for(cast["party"])
    assert client.get(reverse("party:station-create")).status_code == 404
    assert client.get(reverse("party:instructor-create")).status_code == 404
    body = {"name": "赵指导", "kind": "instructor", "region_code": "370102000000"}
    response = client.post(
        f"{API}/instructors",
        data=json.dumps({**body, "appointed_on": "2024-01-01"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Instructor.objects.count() == 2
    budget = client.put(
        f"{API}/stations/{world['station'].pk}/budgets/2024",
        data=json.dumps({"amount": "100000"}),
        content_type="application/json",
    )
    assert budget.status_code == 403
    assert not world["station"].budgets.exists()
    assert client_for(cast["district"]).get(reverse("party:station-create")).status_code == 200
