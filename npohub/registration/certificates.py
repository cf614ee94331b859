"""The registration certificate (登记证书) as a PDF, and the URL its QR code points to.

Drawn with reportlab's built-ins only: the CJK font is Adobe's STSong-Light CID font that every
PDF reader carries (nothing is embedded, nothing is downloaded), and the QR code is
``reportlab.graphics.barcode.qr``. The canvas is ``invariant`` (no creation time, a fixed
document ID), so the same certificate always renders to the same bytes.

The certificate is an official Chinese document: its wording is Chinese whatever the reader's
interface language, so the strings drawn on it are deliberately not translated.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from .models import Certificate

FONT = "STSong-Light"

# The certificate's title by organisation kind (``Certificate.content["kind"]``).
TITLES = {
    "association": "社会团体法人登记证书",
    "social_service": "民办非企业单位（法人）登记证书",
    "foundation": "基金会法人登记证书",
}
DEFAULT_TITLE = "社会组织登记证书"

RED = HexColor("#9b1c1c")
INK = HexColor("#1f2328")
MUTED = HexColor("#57606a")
PAPER = HexColor("#fffdf7")

PAGE_W, PAGE_H = landscape(A4)
OUTER = 18.0  # outer frame inset (pt)
INNER = 27.0  # inner frame inset
QR_SIZE = 92.0


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


# --- the QR code's target --------------------------------------------------------------------


def certificate_verify_path(cert: Certificate) -> str:
    return reverse("portal:certificate-verify", args=[cert.token])


def certificate_verify_url(cert: Certificate, request: HttpRequest | None = None) -> str:
    """The public verification page of ``cert``, absolute.

    ``settings.PUBLIC_BASE_URL`` (e.g. ``https://npo.jinan.gov.cn``) when set, so that a PDF
    downloaded on an internal address still points at the public portal; otherwise the address
    of the current request. Without either, the bare path.
    """
    path = certificate_verify_path(cert)
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return f"{base}{path}"
    if request is not None:
        return request.build_absolute_uri(path)
    return path


# --- formatting of the frozen content --------------------------------------------------------


def cn_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    day = value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
    assert isinstance(day, dt.date)
    return f"{day.year}年{day.month}月{day.day}日"


def funds_text(value: Any) -> str:
    """Registered funds in 万元: 50000.00 → 5万元, 123456.5 → 12.34565万元; empty stays empty."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    wan = (amount / Decimal(10000)).normalize()
    return f"{wan:f}万元"


def authority_text(content: dict[str, Any]) -> str:
    authority = str(content.get("authority") or "").strip()
    if not authority:
        return ""
    return authority if authority.endswith("民政局") else f"{authority}民政局"


def certificate_fields(cert: Certificate) -> list[tuple[str, str]]:
    """(label, value) of the body of the certificate, in the official order."""
    c = cert.content or {}
    return [
        ("名称", str(c.get("name") or "")),
        ("统一社会信用代码", str(c.get("uscc") or "")),
        ("住所", str(c.get("address") or "")),
        ("法定代表人", str(c.get("legal_representative") or "")),
        ("业务范围", str(c.get("business_scope") or "")),
        ("活动地域", str(c.get("activity_area") or "")),
        ("注册资金", funds_text(c.get("registered_funds"))),
        ("业务主管单位", str(c.get("supervisory_unit") or "") or "无"),
    ]


def certificate_title(cert: Certificate) -> str:
    return TITLES.get(str((cert.content or {}).get("kind") or ""), DEFAULT_TITLE)


# --- drawing ---------------------------------------------------------------------------------


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (character by character: CJK text
    has no spaces to break at; explicit newlines are kept)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if line and pdfmetrics.stringWidth(line + char, FONT, size) > width:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


def fit(
    text: str, width: float, sizes: tuple[float, ...], max_lines: int
) -> tuple[float, list[str]]:
    """The largest size in ``sizes`` at which ``text`` fits in ``max_lines``; at the smallest,
    the overflow is cut with an ellipsis."""
    for size in sizes:
        lines = wrap(text, width, size)
        if len(lines) <= max_lines:
            return size, lines
    size = sizes[-1]
    lines = wrap(text, width, size)[:max_lines]
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last + "……", FONT, size) > width:
        last = last[:-1]
    lines[-1] = last + "……"
    return size, lines


def _spaced(canv: Canvas, text: str, x_center: float, y: float, size: float, space: float) -> None:
    """Centred text with letter spacing (the title)."""
    width = pdfmetrics.stringWidth(text, FONT, size) + space * (len(text) - 1)
    canv.saveState()  # the character spacing is graphics state: it must not leak
    obj = canv.beginText(x_center - width / 2, y)
    obj.setFont(FONT, size)
    obj.setCharSpace(space)
    obj.textOut(text)
    canv.drawText(obj)
    canv.restoreState()


def _frame(canv: Canvas) -> None:
    canv.setFillColor(PAPER)
    canv.rect(0, 0, PAGE_W, PAGE_H, stroke=0, fill=1)
    canv.setStrokeColor(RED)
    canv.setLineWidth(3.2)
    canv.rect(OUTER, OUTER, PAGE_W - 2 * OUTER, PAGE_H - 2 * OUTER, stroke=1, fill=0)
    canv.setLineWidth(0.8)
    canv.rect(INNER, INNER, PAGE_W - 2 * INNER, PAGE_H - 2 * INNER, stroke=1, fill=0)
    # Corner ornaments: a small square at each corner of the inner frame.
    for x in (INNER, PAGE_W - INNER):
        for y in (INNER, PAGE_H - INNER):
            canv.setFillColor(RED)
            canv.rect(x - 4, y - 4, 8, 8, stroke=0, fill=1)


def _qr(canv: Canvas, value: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(value, barLevel="M", barBorder=0)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    canv.setFillColor(white)
    canv.rect(x - 4, y - 4, size + 8, size + 8, stroke=0, fill=1)
    renderPDF.draw(drawing, canv, x, y)
    # A click on the code in a PDF reader opens the verification page too.
    canv.linkURL(value, (x, y, x + size, y + size), relative=0)


def _body(canv: Canvas, cert: Certificate) -> None:
    label_right = 208.0
    value_x = 222.0
    value_width = PAGE_W - 96 - value_x
    y = PAGE_H - 168
    for label, value in certificate_fields(cert):
        multiline = label == "业务范围"
        size, lines = (
            fit(value, value_width, (15, 13.5, 12, 11), 4)
            if multiline
            else fit(value, value_width, (15, 13.5, 12), 1)
        )
        canv.setFillColor(MUTED)
        canv.setFont(FONT, 15)
        canv.drawRightString(label_right, y, f"{label}：")
        canv.setFillColor(INK)
        canv.setFont(FONT, size)
        leading = size * 1.45
        for index, line in enumerate(lines):
            canv.drawString(value_x, y - index * leading, line)
        y -= 31 + (len(lines) - 1) * leading


def _footer(canv: Canvas, cert: Certificate, verify_url: str) -> None:
    content = cert.content or {}
    # Bottom left: the certificate's number and version.
    canv.setFillColor(MUTED)
    canv.setFont(FONT, 11)
    canv.drawString(96, 78, f"证书编号：{cert.number}")
    canv.drawString(96, 60, f"版次：第{cert.version}版")
    # The issuing authority and date, where the seal goes.
    x = PAGE_W - 96 - QR_SIZE - 170
    canv.setFillColor(INK)
    canv.setFont(FONT, 14)
    canv.drawCentredString(x, 118, "登记管理机关（盖章）")
    canv.setFont(FONT, 15)
    canv.drawCentredString(x, 94, authority_text(content))
    canv.setFont(FONT, 13)
    canv.drawCentredString(x, 70, f"发证日期：{cn_date(cert.issued_on)}")
    # Bottom right: the QR code and its caption.
    qr_x = PAGE_W - INNER - 24 - QR_SIZE
    qr_y = 62.0
    _qr(canv, verify_url, qr_x, qr_y, QR_SIZE)
    canv.setFillColor(MUTED)
    canv.setFont(FONT, 10)
    canv.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 16, "扫码核验")


def render_certificate_pdf(cert: Certificate, *, verify_url: str) -> bytes:
    """The certificate as a one-page A4 landscape PDF; the QR code encodes ``verify_url``."""
    _register_font()
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    title = certificate_title(cert)
    canv.setTitle(f"{title} {cert.number}")
    canv.setSubject(str((cert.content or {}).get("name") or ""))
    canv.setAuthor(authority_text(cert.content or {}) or "NPOHub")
    canv.setCreator("NPOHub")
    _frame(canv)
    canv.setFillColor(RED)
    _spaced(canv, title, PAGE_W / 2, PAGE_H - 100, 30, 6)
    canv.setStrokeColor(RED)
    canv.setLineWidth(0.6)
    canv.line(PAGE_W / 2 - 150, PAGE_H - 118, PAGE_W / 2 + 150, PAGE_H - 118)
    if cert.voided_on is not None:
        _void_mark(canv)
    _body(canv, cert)
    _footer(canv, cert, verify_url)
    canv.showPage()
    canv.save()
    return buffer.getvalue()


def _void_mark(canv: Canvas) -> None:
    """A voided version is still downloadable (the history); it says so across the page."""
    canv.saveState()
    canv.setFillColor(Color(0.8, 0.13, 0.18))
    canv.setFillAlpha(0.18)
    canv.setFont(FONT, 96)
    canv.translate(PAGE_W / 2, PAGE_H / 2 - 40)
    canv.rotate(18)
    canv.drawCentredString(0, 0, "已作废")
    canv.restoreState()
