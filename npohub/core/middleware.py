"""htmx helpers: login redirects become HX-Redirect; Django messages ride on HX-Trigger."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse


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
