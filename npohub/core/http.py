"""The HTTP glue every HTML view shares, written once.

- A view fetches with a scoped ``*_get_for`` selector and lets ``NotFound`` propagate: the
  :class:`DomainErrorMiddleware` answers 404 (missing and not yours look the same), and a
  service's ``PermissionDenied`` 403, both with the site's Chinese error pages. Under
  ``/api/`` the API's own handlers answer with the JSON envelope instead.
- :func:`attempt` runs one service from a view: a refusal (``DomainError``) becomes form errors
  beside the fields it names (or a message when there is no form), success an optional message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .errors import DomainError, NotFound, PermissionDenied
from .forms import apply_service_errors

T = TypeVar("T")


class DomainErrorMiddleware:
    """``NotFound`` → 404 and ``PermissionDenied`` → 403 for every HTML view, once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exc, NotFound):
            return defaults.page_not_found(request, Http404(exc.message))
        if isinstance(exc, PermissionDenied):
            from django.core.exceptions import PermissionDenied as DjangoDenied

            return defaults.permission_denied(request, DjangoDenied(exc.message))
        return None


def attempt(
    request: HttpRequest,
    call: Callable[[], T],
    *,
    form: forms.Form | None = None,
    success: str = "",
    refused: str = "",
    forbidden_is_403: bool = False,
) -> T | None:
    """Run ``call`` (one service); None when it was refused, the refusal shown to the user.

    ``refused`` frames the message (``_("未能上传：%(reason)s")``). ``NotFound`` is not a
    refusal to show: it propagates (→ 404). With ``forbidden_is_403`` a ``PermissionDenied``
    propagates too (→ 403): for actions whose page offers them only to those who may, so a
    refusal answers a forged request, not a user's mistake.
    """
    try:
        result = call()
    except NotFound:
        raise
    except DomainError as exc:
        if forbidden_is_403 and isinstance(exc, PermissionDenied):
            raise
        if form is not None:
            apply_service_errors(form, exc)
        else:
            messages.error(request, refused % {"reason": exc.message} if refused else exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


def client_ip(request: HttpRequest) -> str:
    """The client address a per-client limit counts: ``REMOTE_ADDR``. Behind a reverse proxy,
    the proxy must set it to the real client (e.g. granian/uvicorn ``--forwarded-allow-ips``);
    a client-supplied header is never trusted."""
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def get_or_404(fetch: Callable[..., T], *args: Any) -> T:
    """Call a scoped fetch; ``NotFound`` becomes Django's ``Http404`` (for code outside views)."""
    try:
        return fetch(*args)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def stored_file_download(stored: Any) -> FileResponse:
    """An uploaded document as a download: never shown inline, never sniffed, never cached.

    ``stored`` has ``file``, ``original_name`` and ``content_type`` (every attachment model).
    """
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("文件不存在")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
