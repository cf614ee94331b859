"""The registration certificate as a PDF, the URL its QR code carries, and its downloads."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib

import pytest
from django.test import override_settings
from django.urls import reverse

from npohub.registration import services
from npohub.registration.certificates import (
    certificate_fields,
    certificate_title,
    certificate_verify_url,
    funds_text,
    render_certificate_pdf,
    wrap,
)
from npohub.registration.models import Certificate

pytestmark = pytest.mark.django_db

D0 = dt.date(2026, 3, 2)
URL = "https://npo.example.cn/verify/abcdefghijklmnopqrstuvwx/"


def page_text(pdf: bytes) -> str:
    """The text drawn on the page: each content stream decoded (ASCII85, then Flate), each
    string shown with ``Tj`` un-escaped and decoded (the CID font's encoding is UTF-16BE)."""
    shown: list[str] = []
    for raw in re.findall(rb"stream\r?\n(.*?)~>\s*endstream", pdf, re.S):
        try:
            content = zlib.decompress(base64.a85decode(re.sub(rb"\s", b"", raw)))
        except (ValueError, zlib.error):
            continue
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
            data = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else m[1],
                literal,
            )
            shown.append(data.decode("utf-16-be", "replace"))
    return "\n".join(shown)


@pytest.fixture
def cert(orgs):
    return services.certificate_issue(org=orgs["assoc"], app=None, today=D0)


def test_the_certificate_is_a_pdf_with_the_registered_items_in_the_official_order(cert, orgs):
    pdf = render_certificate_pdf(cert, verify_url=URL)

    text = page_text(pdf)
    assert pdf.startswith(b"%PDF-")
    assert "社会团体法人登记证书" in text
    for label in ("名称：", "统一社会信用代码：", "住所：", "法定代表人：", "业务范围："):
        assert label in text
    for label in ("活动地域：", "注册资金：", "业务主管单位："):
        assert label in text
    assert orgs["assoc"].name in text
    assert orgs["assoc"].uscc in text
    assert "登记管理机关（盖章）" in text
    assert "历下区民政局" in text
    assert "发证日期：2026年3月2日" in text
    assert f"证书编号：{cert.number}" in text
    assert "版次：第1版" in text
    assert "扫码核验" in text
    assert "已作废" not in text


def test_the_same_certificate_renders_to_the_same_bytes(cert):
    assert render_certificate_pdf(cert, verify_url=URL) == render_certificate_pdf(
        cert, verify_url=URL
    )


def test_the_qr_code_links_to_the_verify_url_and_changes_with_it(cert):
    pdf = render_certificate_pdf(cert, verify_url=URL)

    assert f"/URI ({URL})".encode() in pdf  # the link over the QR code
    assert render_certificate_pdf(cert, verify_url=URL + "x") != pdf


def test_the_title_follows_the_kind_of_organisation(cert):
    titles = {}
    for kind in ("association", "social_service", "foundation"):
        cert.content = {**cert.content, "kind": kind}
        titles[kind] = certificate_title(cert)
        assert titles[kind] in page_text(render_certificate_pdf(cert, verify_url=URL))
    assert titles == {
        "association": "社会团体法人登记证书",
        "social_service": "民办非企业单位（法人）登记证书",
        "foundation": "基金会法人登记证书",
    }


def test_a_voided_version_says_so_across_the_page(cert, orgs):
    services.certificate_void(org=orgs["assoc"], today=D0, reason="注销登记")
    cert.refresh_from_db()

    assert "已作废" in page_text(render_certificate_pdf(cert, verify_url=URL))


def test_fields_are_formatted_the_way_certificates_write_them(cert):
    cert.content = {**cert.content, "supervisory_unit": "", "registered_funds": "30000.00"}
    fields = dict(certificate_fields(cert))

    assert fields["业务主管单位"] == "无"
    assert fields["注册资金"] == "3万元"
    assert funds_text("123456.50") == "12.34565万元"
    assert funds_text("") == ""


def test_a_long_business_scope_is_wrapped_and_cut_to_fit(cert):
    long_scope = "开展养老服务、人员培训、交流合作与政府购买服务项目；" * 20
    cert.content = {**cert.content, "business_scope": long_scope}

    text = page_text(render_certificate_pdf(cert, verify_url=URL))

    assert "……" in text
    assert all(len(line) < 80 for line in wrap(long_scope, 500, 11))


def test_the_verify_url_uses_the_public_base_url_when_set(cert, rf):
    path = reverse("portal:certificate-verify", args=[cert.token])
    request = rf.get("/", HTTP_HOST="testserver:8000")

    with override_settings(PUBLIC_BASE_URL="https://npo.jinan.gov.cn/"):
        assert certificate_verify_url(cert, request) == f"https://npo.jinan.gov.cn{path}"
    with override_settings(PUBLIC_BASE_URL=""):
        assert certificate_verify_url(cert, request) == f"http://testserver:8000{path}"
        assert certificate_verify_url(cert) == path
    assert path == f"/verify/{cert.token}/"


# --- downloads ---------------------------------------------------------------------------------


def test_an_organisation_user_downloads_the_current_certificate(client, cast, cert, orgs):
    client.force_login(cast["org_user"])

    response = client.get(reverse("certificates:current-pdf", args=[orgs["assoc"].pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert cert.number in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    # The QR code points at this server's verification page (no PUBLIC_BASE_URL in tests).
    assert f"/URI (http://testserver/verify/{cert.token}/)".encode() in response.content


def test_the_current_pdf_is_the_newest_version_after_a_reissue(client, cast, cert, orgs):
    newer = services.certificate_issue(org=orgs["assoc"], app=None, today=D0)
    client.force_login(cast["district"])

    response = client.get(reverse("certificates:current-pdf", args=[orgs["assoc"].pk]))

    assert newer.version == 2
    assert f"证书编号：{newer.number}" in page_text(response.content)


def test_a_specific_version_can_be_downloaded_even_when_void(client, cast, cert, orgs):
    services.certificate_issue(org=orgs["assoc"], app=None, today=D0)
    client.force_login(cast["district"])

    response = client.get(reverse("certificates:pdf", args=[cert.pk]))

    assert response.status_code == 200
    text = page_text(response.content)
    assert f"证书编号：{cert.number}" in text
    assert "已作废" in text


def test_no_current_certificate_is_a_404(client, cast, cert, orgs):
    services.certificate_void(org=orgs["assoc"], today=D0, reason="注销登记")
    client.force_login(cast["district"])

    voided = client.get(reverse("certificates:current-pdf", args=[orgs["assoc"].pk]))
    never = client.get(reverse("certificates:current-pdf", args=[orgs["far"].pk]))

    assert voided.status_code == 404
    assert never.status_code == 404


def test_a_user_outside_the_scope_gets_the_same_404_as_for_a_missing_certificate(
    client, cast, cert, orgs
):
    client.force_login(cast["org_user_out"])
    count = Certificate.objects.count()

    current = client.get(reverse("certificates:current-pdf", args=[orgs["assoc"].pk]))
    version = client.get(reverse("certificates:pdf", args=[cert.pk]))
    missing = client.get(reverse("certificates:pdf", args=[cert.pk + 1000]))

    assert current.status_code == version.status_code == missing.status_code == 404
    assert Certificate.objects.count() == count


def test_anonymous_visitors_are_sent_to_sign_in(client, cert, orgs):
    response = client.get(reverse("certificates:pdf", args=[cert.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "next=" in response["Location"]
