"""Certificate downloads (PDF) for users who may see the organisation.

The QR code on the PDF points at the public verification page (``portal:certificate-verify``);
see ``certificates.certificate_verify_url`` for how its address is built.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ..certificates import certificate_verify_url, render_certificate_pdf
from ..models import Certificate
from ..selectors import certificate_get_for, current_certificate_for


def _pdf_response(request: HttpRequest, cert: Certificate) -> HttpResponse:
    pdf = render_certificate_pdf(cert, verify_url=certificate_verify_url(cert, request))
    response = HttpResponse(pdf, content_type="application/pdf")
    # ASCII file name (the number is the USCC and the version): no encoding trouble anywhere.
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def current_certificate_pdf(request: HttpRequest, org_pk: int) -> HttpResponse:
    """The organisation's current certificate (404 when it has none or it was voided)."""
    cert = current_certificate_for(request.user, org_pk)
    return _pdf_response(request, cert)


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of a certificate (a voided version is marked 已作废 across the page)."""
    cert = certificate_get_for(request.user, pk)
    return _pdf_response(request, cert)
