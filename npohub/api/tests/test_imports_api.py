import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from npohub.accounts.services import api_token_create
from npohub.core.models import AuditEvent
from npohub.orgs.models import ImportJob, Organization

pytestmark = pytest.mark.django_db

BASE = "/api/v1/imports/"
HEADER = ["名称", "住所社区/村区划代码", "备案日期"]


def bearer(user) -> Client:
    _, raw = api_token_create(actor=user, user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("groups.xlsx", buffer.getvalue())


GOOD = [["舞蹈队", "370102001002", "2023-04-01"], ["合唱团", "370102001002", "2023-05-01"]]


def test_upload_validate_and_commit_through_the_api(cast, regions):
    client = bearer(cast["street"])
    created = client.post(BASE, {"kind": "community_group", "file": xlsx(GOOD)})
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["status"] == "preview" and job["counts"] == {
        "create": 2,
        "update": 0,
        "unchanged": 0,
    }

    status = client.get(f"{BASE}{job['id']}").json()
    assert status["total_rows"] == 2 and status["processed_rows"] == 2

    committed = client.post(f"{BASE}{job['id']}/commit")
    assert committed.status_code == 200 and committed.json()["status"] == "done"
    assert Organization.objects.count() == 2
    assert AuditEvent.objects.filter(kind="orgs.organization_created").count() == 2


def test_errors_are_listed_by_row_and_column_in_pages(cast, regions):
    client = bearer(cast["street"])
    rows = [["队", "370102001999", "2023-04-01"]] + [["", "370102001002", "2023-01-01"]] * 3
    job = client.post(BASE, {"kind": "community_group", "file": xlsx(rows)}).json()
    assert job["status"] == "invalid" and job["error_count"] == 4

    page = client.get(f"{BASE}{job['id']}/errors?page=1&page_size=2").json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    first = page["results"][0]
    assert first["row"] == 2 and first["column"] == "住所社区/村区划代码"
    assert first["field"] == "community_code" and "未知" in first["message"]

    refused = client.post(f"{BASE}{job['id']}/commit")
    assert refused.status_code == 409 and refused.json()["code"] == "import.not_ready"
    assert not Organization.objects.exists()


def test_another_users_job_is_not_found(cast, regions):
    job = bearer(cast["street"]).post(BASE, {"kind": "community_group", "file": xlsx(GOOD)}).json()
    other = bearer(cast["city"])
    for response in (
        other.get(f"{BASE}{job['id']}"),
        other.get(f"{BASE}{job['id']}/errors"),
        other.post(f"{BASE}{job['id']}/commit"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Organization.objects.exists()


def test_a_role_that_may_not_import_is_refused_and_no_job_is_stored(cast, regions):
    response = bearer(cast["street"]).post(BASE, {"kind": "registered", "file": xlsx(GOOD)})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not ImportJob.objects.exists()


def test_an_unknown_kind_is_a_validation_error(cast, regions):
    response = bearer(cast["city"]).post(BASE, {"kind": "boats", "file": xlsx(GOOD)})
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
