"""Request and response middleware: htmx helpers (login redirects become HX-Redirect, Django
messages ride on HX-Trigger), the Chinese-first locale, security headers (CSP,
Permissions-Policy) and the guard that answers malformed or oversized requests with 4xx."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist, loader
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.translation import gettext as _

from .params import has_forbidden_characters, parse_int

logger = logging.getLogger(__name__)


class HtmxAuthRedirectMiddleware:
    """An expired session on an htmx request redirects the whole page, not a table cell."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code == 302:
            location = response.get("Location", "")
            if "/accounts/login" in location:
                response.status_code = 204
                response["HX-Redirect"] = location
        return response


class HtmxMessageMiddleware:
    """Carry flash messages to the page in an ``HX-Trigger`` header on partial swaps."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or "HX-Redirect" in response:
            return response
        if 300 <= response.status_code < 400:
            return response
        messages = [{"level": m.level_tag, "text": str(m)} for m in get_messages(request)]
        if messages:
            trigger = {"messages": messages}
            existing = response.get("HX-Trigger")
            if existing:
                try:
                    trigger.update(json.loads(existing))
                except ValueError:
                    trigger[existing] = True  # type: ignore[assignment]
            response["HX-Trigger"] = json.dumps(trigger)
        return response


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user picked another language (cookie or session).

    The browser's Accept-Language is ignored: officials on English-language systems still
    get the Chinese interface by default; the language switch in the header sets the cookie.
    Place before ``LocaleMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    Django 5.2 has no CSP support; the policy is the ``SECURE_CSP`` setting in the shape Django
    6.0 adopts (directive → list of sources), so an upgrade can hand it to Django's own
    middleware (remove this one then). Scripts and styles come only from the platform's static
    files: no inline ``<script>``, no ``on…=`` handlers, no ``style=`` attributes, no eval (htmx
    runs with ``allowEval`` off). A view may set its own header; it is left alone. Django's
    debug error pages (DEBUG only) carry inline script and style, so they get no policy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = csp_header(getattr(settings, "SECURE_CSP", None) or {})
        self.permissions = str(getattr(settings, "PERMISSIONS_POLICY", "") or "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code >= 400:
            return response
        if self.csp and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        if self.permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        return response


def csp_header(policy: dict[str, list[str] | tuple[str, ...] | str]) -> str:
    """``{"default-src": ["'self'"], …}`` → ``"default-src 'self'; …"`` (empty list: bare)."""
    parts = []
    for directive, sources in policy.items():
        values = [sources] if isinstance(sources, str) else list(sources)
        parts.append(" ".join([directive, *values]))
    return "; ".join(parts)


class RequestGuardMiddleware:
    """Turn away requests no view should see, before any view or form reads them.

    * A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (anything but a multipart upload, whose files
      have their own limits) answers 413 instead of Django's ``RequestDataTooBig`` 400/500.
    * A NUL character in the query string or a JSON body answers 400: PostgreSQL refuses it in
      any text, and no form or filter has a use for it.
    * An integer too large for the database (``OverflowError`` on SQLite) or a value the
      database rejects (``DataError``) raised by a view answers 400 instead of 500; the views
      parse parameters with ``npohub.core.params`` so this is a last line, logged as a warning.

    The answer is a Chinese page (``400.html``/``413.html``); under ``/api/`` the API's envelope
    middleware turns it into ``{code, message, details}`` with the code set here. Place after
    ``LocaleMiddleware`` (the page follows the request's language) and before
    ``CsrfViewMiddleware`` (which reads the body).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.META.get("CONTENT_TYPE", "")
        if limit is not None and not content_type.startswith("multipart/form-data"):
            length = parse_int(request.META.get("CONTENT_LENGTH") or "0", 0, minimum=0) or 0
            if length > limit:
                return error_page(
                    request,
                    413,
                    "payload_too_large",
                    _("请求内容过大：不能超过 %(size)s") % {"size": filesizeformat(limit)},
                )
        if any(
            has_forbidden_characters(key) or any(has_forbidden_characters(v) for v in values)
            for key, values in request.GET.lists()
        ):
            return error_page(
                request, 400, "bad_request", _("请求参数中含有不允许的字符（空字符）")
            )
        if content_type.startswith("application/json") and request.method in BODY_METHODS:
            try:
                body = request.body
            except RequestDataTooBig:
                return error_page(request, 413, "payload_too_large", _("请求内容过大"))
            if b"\\u0000" in body or b"\x00" in body:
                return error_page(
                    request, 400, "bad_request", _("请求内容中含有不允许的字符（空字符）")
                )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return error_page(request, 413, "payload_too_large", _("请求内容过大"))
        if isinstance(exception, OverflowError | DataError):
            logger.warning("Input the database cannot hold: %s", request.path, exc_info=exception)
            return error_page(request, 400, "value_out_of_range", _("输入的数值或长度超出允许范围"))
        return None


BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def error_page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """The Chinese error page ``<status>.html`` (no context processors needed), carrying the
    stable ``code`` and ``message`` for the API envelope."""
    try:
        template = loader.get_template(f"{status}.html")
        body = template.render({"message": message, "request_path": request.path})
    except TemplateDoesNotExist:
        body = f"<!doctype html><title>{status}</title><p>{escape(message)}</p>"
    response = HttpResponse(body, status=status)
    response.error_code = code  # type: ignore[attr-defined]
    response.error_message = message  # type: ignore[attr-defined]
    return response
