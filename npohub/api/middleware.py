"""Every error under ``/api/`` answers with the JSON envelope, whoever produced it.

Ninja's handlers (``errors.install``) cover what an endpoint raises. What happens outside an
endpoint — an unknown URL, a method the route does not take, a request turned away by
``RequestGuardMiddleware`` (413, NUL characters), an unexpected exception that Django turns into
its 500 page, a disallowed Host — arrives here as an HTML (or empty) response; this middleware
replaces it with ``{code, message, details}`` and the same status. Place after
``LocaleMiddleware`` (messages in the request's language) and before the guard.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import ERROR_CODES, code_for_status

API_PREFIX = "/api/"


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if settings.DEBUG and response.status_code >= 500:
            return response  # the developer's traceback page
        code = getattr(response, "error_code", None) or code_for_status(response.status_code)
        message = getattr(response, "error_message", None) or str(
            ERROR_CODES.get(code, ERROR_CODES["bad_request"])
        )
        envelope = JsonResponse(
            {"code": code, "message": str(message), "details": {}},
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Content-Language", "Vary"):
            if header in response:
                envelope[header] = response[header]
        return envelope


def is_envelope(response: HttpResponse) -> bool:
    """Whether ``response`` is an error envelope (used by tests)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and {"code", "message", "details"} <= set(body)
