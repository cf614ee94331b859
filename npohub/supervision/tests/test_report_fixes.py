"""Issue 13's wrong results in the annual report, each pinned: a returned report says why at
the top; the report takes attachments (the accounts note a bureau asks for); the registry's
业务主管单位 stays pre-filled; 收入合计 is computed from its parts."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from npohub.core.errors import PermissionDenied, ValidationFailed
from npohub.core.models import AuditEvent
from npohub.supervision import services
from npohub.supervision.models import ReportAttachment
from npohub.supervision.tests.factories import PDF, PNG, VALID, make_report

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 1)
API = "/api/v1/supervision"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _returned_by_bureau(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    report = services.report_transition(
        actor=cast["reviewer"],
        report=report,
        transition="supervisor_approve",
        note="初审同意",
        today=ON,
    )
    return services.report_transition(
        actor=cast["district"],
        report=report,
        transition="return",
        note="请补充财务会计报告附注",
        today=ON,
    )


# --- a returned report says why, first ---------------------------------------------------------


def test_a_returned_report_shows_the_return_reason_at_the_top_not_the_old_first_review(cast, orgs):
    report = _returned_by_bureau(cast, orgs)
    page = _client(cast["org_user"]).get(reverse("supervision:report-detail", args=[report.pk]))
    html = page.content.decode()
    notice = re.search(r'id="return-reason".*?</section>', html, re.S)
    assert notice is not None
    assert "登记管理机关退回修改" in notice.group(0)
    assert "请补充财务会计报告附注" in notice.group(0)
    assert html.index('id="return-reason"') < html.index('id="section-basic"')
    top = html[: html.index('id="report-history"')]
    assert "初审同意" not in top and "业务主管单位初审意见" not in top


def test_the_api_names_who_returned_the_report_and_why(cast, orgs):
    report = _returned_by_bureau(cast, orgs)
    body = _client(cast["org_user"]).get(f"{API}/reports/{report.pk}").json()
    assert (body["returned"]["by"], body["returned"]["reason"]) == (
        "登记管理机关",
        "请补充财务会计报告附注",
    )
    resubmitted = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    assert (
        _client(cast["org_user"]).get(f"{API}/reports/{resubmitted.pk}").json()["returned"] is None
    )


# --- attachments -------------------------------------------------------------------------------


def test_the_organisation_attaches_the_requested_accounts_note_to_a_returned_report(cast, orgs):
    report = _returned_by_bureau(cast, orgs)
    client = _client(cast["org_user"])
    response = client.post(
        reverse("supervision:attachment-upload", args=[report.pk]),
        {"kind": "accounts_note", "file": SimpleUploadedFile("财务报表附注.pdf", PDF)},
    )
    assert response.status_code == 302
    attachment = ReportAttachment.objects.get(report=report)
    assert (attachment.kind, attachment.original_name, attachment.content_type) == (
        "accounts_note",
        "财务报表附注.pdf",
        "application/pdf",
    )
    assert AuditEvent.objects.filter(kind="supervision.report_attachment_added").count() == 1
    # The bureau sees and downloads it.
    bureau = _client(cast["district"])
    assert (
        "财务报表附注.pdf"
        in bureau.get(reverse("supervision:report-detail", args=[report.pk])).content.decode()
    )
    download = bureau.get(reverse("supervision:attachment-download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_a_file_whose_content_is_not_what_its_name_says_is_refused_and_nothing_is_stored(
    cast, orgs
):
    report = make_report(orgs["assoc"], cast["org_user"])
    with pytest.raises(ValidationFailed) as exc:
        services.attachment_add(
            actor=cast["org_user"],
            report=report,
            kind="other",
            name="附注.pdf",
            stream=io.BytesIO(PNG),
        )
    assert exc.value.message == "文件内容与扩展名不符（扩展名为 .pdf，内容是 PNG）"
    assert not ReportAttachment.objects.exists()


def test_a_submitted_report_takes_no_attachment_and_keeps_the_ones_it_has(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    kept = services.attachment_add(
        actor=cast["org_user"],
        report=report,
        kind="audit_report",
        name="审计.pdf",
        stream=io.BytesIO(PDF),
    )
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        services.attachment_add(
            actor=cast["org_user"],
            report=report,
            kind="other",
            name="x.pdf",
            stream=io.BytesIO(PDF),
        )
    assert exc.value.message == "报告已提交，附件不能再增删"
    with pytest.raises(PermissionDenied):
        services.attachment_remove(actor=cast["org_user"], attachment=kept)
    assert list(ReportAttachment.objects.values_list("pk", flat=True)) == [kept.pk]
    assert AuditEvent.objects.count() == events


def test_only_the_organisation_changes_attachments_and_a_refusal_changes_nothing(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    for user in ("district", "reviewer"):
        with pytest.raises(PermissionDenied):
            services.attachment_add(
                actor=cast[user],
                report=report,
                kind="other",
                name="x.pdf",
                stream=io.BytesIO(PDF),
            )
    page = _client(cast["org_user_out"]).post(
        reverse("supervision:attachment-upload", args=[report.pk]),
        {"kind": "other", "file": SimpleUploadedFile("x.pdf", PDF)},
    )
    assert page.status_code == 404
    assert not ReportAttachment.objects.exists()


def test_the_api_uploads_lists_and_removes_an_attachment_while_the_report_is_editable(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    client = _client(cast["org_user"])
    created = client.post(
        f"{API}/reports/{report.pk}/attachments",
        {"kind": "financial_statements", "file": SimpleUploadedFile("报表.pdf", PDF)},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["kind_label"], body["name"]) == ("财务会计报告", "报表.pdf")
    detail = client.get(f"{API}/reports/{report.pk}").json()
    assert [a["name"] for a in detail["attachments"]] == ["报表.pdf"]
    assert client.get(body["download_url"]).status_code == 200
    assert client.delete(f"{API}/attachments/{body['id']}").status_code == 204
    assert not ReportAttachment.objects.exists()


# --- the registry's 业务主管单位 stays pre-filled -------------------------------------------


def test_saving_the_basic_section_without_the_supervisory_unit_keeps_the_registrys_value(
    cast, orgs
):
    org = orgs["assoc"]
    assert org.supervisory_unit  # dual-managed: the registry names its 业务主管单位
    report = make_report(org, cast["org_user"], filled=False)
    assert report.data["basic"]["supervisory_unit"] == org.supervisory_unit
    response = _client(cast["org_user"]).put(
        f"{API}/reports/{report.pk}/sections/basic",
        data=json.dumps({"values": VALID["basic"]}),  # the four required fields only
        content_type="application/json",
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.data["basic"]["supervisory_unit"] == org.supervisory_unit
    page = _client(cast["org_user"]).get(reverse("supervision:report-detail", args=[report.pk]))
    basic = re.search(r'id="section-basic".*?</section>', page.content.decode(), re.S)
    assert basic is not None and org.supervisory_unit in basic.group(0)


def test_clearing_the_supervisory_unit_on_purpose_still_clears_it(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"], filled=False)
    report = services.report_update_section(
        actor=cast["org_user"],
        report=report,
        section="basic",
        values={**VALID["basic"], "supervisory_unit": ""},
    )
    assert report.data["basic"]["supervisory_unit"] is None


# --- 收入合计 is computed ---------------------------------------------------------------------


def test_the_income_total_is_the_sum_of_its_parts_and_needs_no_typing(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    report = services.report_update_section(
        actor=cast["org_user"],
        report=report,
        section="income",
        values={
            "donation_income": "1,000.50",
            "government_grants": "200",
            "service_income": "0",
            "dues_income": "30",
            "total_income": "5",  # typed anyway: ignored
        },
    )
    assert report.data["income"]["total_income"] == "1230.50"
    assert [p for p in services.report_problems(report) if p.section == "income"] == []
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    assert report.state == "supervisor_review"


def test_the_income_form_shows_the_total_read_only_and_the_check_computes_it(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    client = _client(cast["org_user"])
    form = client.get(reverse("supervision:report-section", args=[report.pk, "income"]))
    field = re.search(r'<input[^>]*name="total_income"[^>]*>', form.content.decode())
    assert field is not None and "disabled" in field.group(0)
    check = client.post(
        reverse("supervision:report-section-check", args=[report.pk, "income"]),
        {"donation_income": "10", "government_grants": "5", "service_income": "0"},
        HTTP_HX_REQUEST="true",
    )
    html = check.content.decode()
    assert "收入合计（自动计算）：15.00元" in html and "不一致" not in html


def test_a_draft_saved_with_a_stale_typed_total_is_corrected_on_submission(cast, orgs):
    report = make_report(orgs["assoc"], cast["org_user"])
    report.data["income"]["total_income"] = "999.00"  # typed before the total was computed
    report.save(update_fields=["data"])
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    report.refresh_from_db()
    assert (report.state, report.data["income"]["total_income"]) == ("supervisor_review", "150.00")


def test_a_report_returned_twice_names_the_latest_return(cast, orgs):
    report = _returned_by_bureau(cast, orgs)
    report = services.report_transition(
        actor=cast["org_user"], report=report, transition="submit", today=ON
    )
    report = services.report_transition(
        actor=cast["reviewer"],
        report=report,
        transition="supervisor_return",
        note="附注仍缺少关联方说明",
        today=ON,
    )
    html = (
        _client(cast["org_user"])
        .get(reverse("supervision:report-detail", args=[report.pk]))
        .content.decode()
    )
    notice = re.search(r'id="return-reason".*?</section>', html, re.S)
    assert notice is not None
    assert "业务主管单位退回修改" in notice.group(0) and "附注仍缺少关联方说明" in notice.group(0)
    assert "请补充财务会计报告附注" not in notice.group(0)
