"""Phones in the registry go through core's phone check wherever they come in: the Excel import
(which accepted "1380000"), the organisation form and the API all share clean_organization."""

from __future__ import annotations

import pytest

from npohub.orgs.imports import COMMUNITY_GROUP
from npohub.orgs.models import ImportStatus, Organization
from npohub.orgs.validation import OrganizationInput, clean_organization

from .test_imports import GROUP_HEADER, group_row, upload, xlsx
from .test_views import edit_data

pytestmark = pytest.mark.django_db


def test_an_import_row_with_a_seven_digit_phone_is_a_row_error_and_nothing_is_created(
    cast, regions
):
    good, bad = group_row("舞蹈队"), group_row("合唱团")
    bad[GROUP_HEADER.index("负责人手机")] = "1380000"

    job = upload(cast["street"], COMMUNITY_GROUP, xlsx(GROUP_HEADER, [good, bad]))

    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "负责人手机")]
    assert "1380000" in job.errors[0]["message"] and "11位" in job.errors[0]["message"]
    assert not Organization.objects.filter(name__in=["舞蹈队", "合唱团"]).exists()


def test_the_shared_cleaning_stores_phones_written_one_way(regions):
    raw = OrganizationInput(
        kind="备案社区社会组织",
        name="解放桥社区合唱团",
        community_code="370102001002",
        registration_date="2023-04-01",
        legal_representative_phone="138 1234 5678",
        phone="0531 8612 3456",
    )
    cleaned, errors = clean_organization(raw)
    assert errors == {}
    assert (cleaned.legal_representative_phone, cleaned.phone) == ("13812345678", "0531-86123456")


def test_the_edit_form_names_the_phone_field_it_refuses_and_changes_nothing(client, cast, orgs):
    org = orgs["assoc"]
    before = org.phone
    client.force_login(cast["district"])

    response = client.post(f"/orgs/{org.pk}/edit/", edit_data(org, phone="1380000"))

    assert response.status_code == 200
    assert "1380000" in str(response.context["form"].errors["phone"])
    org.refresh_from_db()
    assert org.phone == before
