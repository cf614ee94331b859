"""List exports (core.exports, core.export_jobs): every list's export holds exactly what its page
lists for the same filters and scope; large ones run in the background with progress and are
downloadable by their owner only until they expire; cells never become formulas; bad filters
are refused with a message naming the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from npohub.core.export_jobs import export_jobs_sweep, export_start
from npohub.core.exports import all_definitions, write_csv
from npohub.core.models import AuditEvent, ExportJob, ExportState
from npohub.orgs.models import Kind
from npohub.orgs.tests.factories import OrganizationFactory

HYPERLINK = '=HYPERLINK("http://evil.example/x","点击查看")'


def export_csv(client, key, params=None):
    """POST the list's 导出 button (CSV); the data rows (header dropped) and the response."""
    data = {**(params or {}), "format": "csv"}
    response = client.post(reverse("exports:start", args=[key]), data)
    assert response.status_code == 200, response.status_code
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[1:], response


def listed(client, url_name, params=None):
    """Every record the list page shows under ``params`` (all pages)."""
    response = client.get(reverse(url_name), params or {})
    assert response.status_code == 200
    return list(response.context["page_obj"].paginator.object_list)


# --- The export is the page's list ------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "params"),
    [
        ("city", {}),
        ("city", {"kind": Kind.ASSOCIATION}),
        ("district", {}),
        ("district", {"q": "书法"}),
        ("street", {}),
    ],
)
def test_the_registry_export_holds_exactly_the_organisations_the_list_shows(
    client, cast, orgs, user, params
):
    client.force_login(cast[user])
    shown = listed(client, "orgs:organization-list", params)

    rows, _ = export_csv(client, "orgs.organizations", params)

    names = [row[1] for row in rows]
    assert len(rows) == len(shown)
    assert sorted(names) == sorted(o.name for o in shown)


def test_organisations_outside_the_users_scope_are_never_exported(client, cast, orgs):
    client.force_login(cast["district"])

    rows, _ = export_csv(client, "orgs.organizations", {"region": "370181"})  # 章丘, not theirs

    exported = {row[1] for row in rows}
    assert orgs["far"].name not in exported and orgs["qingdao"].name not in exported
    rows, _ = export_csv(client, "orgs.organizations")
    assert {row[1] for row in rows} == {
        orgs["assoc"].name,
        orgs["group"].name,
        orgs["other"].name,
    }


def test_the_complaint_export_holds_the_complaints_the_list_shows(client, cast, orgs):
    from npohub.enforcement.tests.factories import complaint

    mine = complaint(orgs["assoc"])
    far = complaint(orgs["far"])
    client.force_login(cast["district"])
    shown = listed(client, "enforcement:complaint-list")

    rows, _ = export_csv(client, "enforcement.complaints")

    assert sorted(row[0] for row in rows) == sorted(c.number for c in shown)
    assert mine.number in {row[0] for row in rows}
    assert far.number not in {row[0] for row in rows}
    client.force_login(cast["city"])
    rows, _ = export_csv(client, "enforcement.complaints", {"category": "fees"})
    assert len(rows) == len(listed(client, "enforcement:complaint-list", {"category": "fees"}))


def test_the_annual_report_export_holds_the_reports_the_list_shows(client, cast, orgs):
    from npohub.supervision.tests.factories import make_report

    make_report(orgs["assoc"], cast["org_user"])
    make_report(orgs["other"], cast["org_user_out"])
    for user, expected in (("city", 2), ("district", 2), ("district_out", 0)):
        client.force_login(cast[user])
        shown = listed(client, "supervision:report-list", {"year": 2025})
        rows, _ = export_csv(client, "supervision.reports", {"year": 2025})
        assert len(rows) == len(shown) == expected
        assert sorted(row[1] for row in rows) == sorted(r.organization.name for r in shown)


def test_every_registered_export_writes_a_file_for_a_user_who_may_open_its_list(cast, orgs):
    definitions = all_definitions()
    assert len(definitions) >= 10
    written = 0
    for key, definition in definitions.items():
        user = next((u for u in cast.values() if definition.may_export(u)), None)
        if user is None:
            continue
        started = export_start(actor=user, key=key, query={}, fmt="xlsx")
        workbook = load_workbook(started.handle)
        header = next(workbook.active.iter_rows(values_only=True))
        assert len(header) == len(definition.columns_for(definition.filters({})))
        assert all(isinstance(h, str) and h for h in header), key
        written += 1
    assert written == len(definitions)


# --- Who may export, bad input ------------------------------------------------------------------


def test_a_user_who_cannot_open_a_list_cannot_export_it_and_nothing_is_recorded(client, cast, orgs):
    client.force_login(cast["resident"])
    before = ExportJob.objects.count()

    response = client.post(reverse("exports:start", args=["supervision.reports"]), {})

    assert response.status_code == 404
    response = client.post(reverse("exports:start", args=["no.such.list"]), {})
    assert response.status_code == 404
    assert ExportJob.objects.count() == before


def test_bad_filters_are_refused_with_a_message_naming_the_field(client, cast, orgs):
    client.force_login(cast["city"])
    before = ExportJob.objects.count()

    response = client.post(
        reverse("exports:start", args=["orgs.organizations"]),
        {"year": "abc", "format": "xlsx"},
        HTTP_REFERER="http://testserver/orgs/?year=abc",
    )

    assert response.status_code == 302 and response["Location"].endswith("/orgs/?year=abc")
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "筛选条件有误" in text and "登记年份" in text
    assert ExportJob.objects.count() == before


def test_the_api_refuses_bad_filters_and_a_bad_format_with_codes(client, cast, orgs):
    client.force_login(cast["city"])
    url = "/api/v1/exports/"

    bad_year = client.post(
        url,
        {"definition": "orgs.organizations", "filters": {"year": "abc"}},
        content_type="application/json",
    )
    bad_format = client.post(
        url, {"definition": "orgs.organizations", "format": "pdf"}, content_type="application/json"
    )

    assert bad_year.status_code == 422 and bad_year.json()["code"] == "export.bad_filters"
    assert "year" in bad_year.json()["details"]
    assert bad_format.status_code == 422
    assert not ExportJob.objects.exists()


# --- Cells never become formulas -----------------------------------------------------------------


def test_a_hostile_text_is_exported_as_quoted_text_in_excel_and_csv(client, cast, orgs):
    org = orgs["assoc"]
    org.address = HYPERLINK
    org.save(update_fields=["address"])
    client.force_login(cast["city"])

    response = client.post(reverse("exports:start", args=["orgs.organizations"]), {})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    rows, _ = export_csv(client, "orgs.organizations")

    hostile = [cell for cell in cells if "HYPERLINK" in str(cell.value)]
    assert hostile and all(c.data_type == "s" and c.value == "'" + HYPERLINK for c in hostile)
    assert not any(cell.data_type == "f" for cell in cells)
    assert "'" + HYPERLINK in [cell for row in rows for cell in row]


def test_personal_data_is_masked_in_the_export_as_on_the_page(client, cast, orgs):
    from npohub.orgs.permissions import can_see_personal_data

    rep = orgs["assoc"].legal_representative
    client.force_login(cast["hub"])
    rows, _ = export_csv(client, "orgs.organizations")

    ids = [cell for row in rows for cell in row if rep and rep.id_number and cell == rep.id_number]
    if not can_see_personal_data(cast["hub"], orgs["assoc"]):
        assert ids == []


# --- Small at once, large in the background --------------------------------------------------


def test_a_small_export_is_answered_at_once_and_recorded_with_its_filters(client, cast, orgs):
    client.force_login(cast["district"])

    rows, response = export_csv(client, "orgs.organizations", {"kind": Kind.ASSOCIATION})

    assert response["Content-Disposition"].startswith("attachment")
    job = ExportJob.objects.get()
    assert job.state == ExportState.SENT and not job.file
    assert job.owner == cast["district"] and job.total_rows == len(rows)
    event = AuditEvent.objects.get(kind="core.export", target_id=str(job.pk))
    assert event.actor == cast["district"]
    assert event.payload["filters"] == {"kind": ["association"]}
    assert event.payload["definition"] == "orgs.organizations"
    assert event.payload["rows"] == len(rows)


@pytest.fixture
def small_limit(settings):
    settings.NPOHUB_EXPORT_INLINE_ROWS = 1
    return settings


def test_a_large_export_runs_in_the_background_with_progress_and_lands_in_my_exports(
    client, cast, orgs, small_limit, django_capture_on_commit_callbacks
):
    for index in range(3):
        OrganizationFactory(
            name=f"历下区测试协会{index}",
            community=orgs["assoc"].community,
            authority_region=orgs["assoc"].authority_region,
        )
    client.force_login(cast["district"])
    expected = len(listed(client, "orgs:organization-list"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exports:start", args=["orgs.organizations"]), {})

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:detail", args=[job.pk])
    assert job.state == ExportState.DONE and job.task_id
    assert job.total_rows == job.processed_rows == expected and job.percent == 100
    assert job.expires_at > timezone.now()
    mine = client.get(reverse("exports:list")).content.decode()
    assert reverse("exports:download", args=[job.pk]) in mine
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.active.max_row == expected + 1


def test_a_running_export_shows_a_progress_bar_that_polls_itself(client, cast, orgs):
    job = ExportJob.objects.create(
        owner=cast["city"],
        definition="orgs.organizations",
        title="社会组织名录",
        format="xlsx",
        state=ExportState.RUNNING,
        total_rows=37069,
        processed_rows=9000,
        worker=f"{os.uname().nodename}|1",
        heartbeat_at=timezone.now(),
    )
    client.force_login(cast["city"])

    body = client.get(reverse("exports:detail", args=[job.pk]), HTTP_HX_REQUEST="true")

    html = body.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="24"' in html
    assert "9,000 / 37,069" in html
    assert "<script" not in html


def test_another_user_cannot_see_or_download_my_export(client, cast, orgs):
    job = ExportJob.objects.create(
        owner=cast["city"],
        definition="orgs.organizations",
        title="社会组织名录",
        format="csv",
        state=ExportState.DONE,
        total_rows=1,
        processed_rows=1,
        filename="x.csv",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    job.file.save("x.csv", ContentFile(b"a,b\n"), save=True)
    for other in ("district", "admin", "qingdao"):
        client.force_login(cast[other])
        assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
        assert client.get(reverse("exports:detail", args=[job.pk])).status_code == 404
        assert client.get(f"/api/v1/exports/{job.pk}").status_code == 404
        assert client.get(f"/api/v1/exports/{job.pk}/file").status_code == 404
        assert (
            reverse("exports:download", args=[job.pk])
            not in client.get(reverse("exports:list")).content.decode()
        )
    client.force_login(cast["city"])
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 200


def test_expired_files_are_swept_and_no_longer_downloadable(client, cast, orgs):
    job = ExportJob.objects.create(
        owner=cast["city"],
        definition="orgs.organizations",
        title="社会组织名录",
        format="csv",
        state=ExportState.DONE,
        filename="x.csv",
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    job.file.save("x.csv", ContentFile(b"a,b\n"), save=True)
    name, storage = job.file.name, job.file.storage
    client.force_login(cast["city"])

    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    counts = export_jobs_sweep()

    job.refresh_from_db()
    assert counts["expired"] == 1
    assert job.state == ExportState.EXPIRED and not job.file
    assert not storage.exists(name)
    assert AuditEvent.objects.filter(kind="core.export").count() == 0  # the sweep is no export


def test_an_export_whose_process_died_is_marked_failed_by_the_sweep(cast, orgs):
    job = ExportJob.objects.create(
        owner=cast["city"],
        definition="orgs.organizations",
        title="社会组织名录",
        format="xlsx",
        state=ExportState.RUNNING,
        total_rows=100,
        worker="old-host|1234",
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )

    assert export_jobs_sweep()["lost"] == 1

    job.refresh_from_db()
    assert job.state == ExportState.FAILED and "意外中止" in job.message


def test_the_api_starts_an_export_and_reports_its_state(client, cast, orgs):
    client.force_login(cast["district"])

    created = client.post(
        "/api/v1/exports/",
        {"definition": "orgs.organizations", "format": "csv", "filters": {"kind": "association"}},
        content_type="application/json",
    )

    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "done" and body["download_url"]
    state = client.get(f"/api/v1/exports/{body['id']}").json()
    assert state["total_rows"] == body["total_rows"] == 2  # 养老服务协会 and 书法协会
    file = client.get(body["download_url"])
    assert file.status_code == 200
    lists = {row["key"] for row in client.get("/api/v1/exports/lists").json()}
    assert "orgs.organizations" in lists


def test_the_csv_writer_reports_progress_every_thousand_rows():
    seen = []
    handle = io.BytesIO()

    count = write_csv(handle, "t", ["a"], ([i] for i in range(2500)), seen.append)

    assert count == 2500 and seen == [1000, 2000]
    assert handle.getvalue().startswith("\ufeffa".encode())


def test_the_older_export_address_is_the_same_audited_export_and_refuses_bad_filters(
    client, cast, orgs
):
    client.force_login(cast["district"])

    response = client.get(reverse("imports:export"), {"kind": "association", "format": "csv"})
    refused = client.get(reverse("imports:export"), {"year": "²", "format": "csv"})

    assert response.status_code == 200
    job = ExportJob.objects.get()
    assert job.filters == {"kind": ["association"]} and job.total_rows == 2
    assert AuditEvent.objects.filter(kind="core.export", target_id=str(job.pk)).exists()
    assert refused.status_code == 302 and refused["Location"].startswith(
        reverse("orgs:organization-list")
    )
    assert "登记年份" in " ".join(str(m) for m in get_messages(refused.wsgi_request))
    assert ExportJob.objects.count() == 1


def test_a_large_export_from_the_older_address_goes_to_its_progress_page(
    client, cast, orgs, small_limit
):
    client.force_login(cast["city"])

    response = client.get(reverse("imports:export"))

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:detail", args=[job.pk])


def test_a_title_with_a_slash_makes_a_valid_sheet_and_file_name():
    from npohub.core.exports import filename_for, write_xlsx

    handle = io.BytesIO()
    write_xlsx(handle, "党建工作指导员/联络员", ["姓名"], [["张三"]])
    handle.seek(0)

    assert load_workbook(handle).active.title == "党建工作指导员-联络员"
    assert "/" not in filename_for("党建工作指导员/联络员", "csv")
