"""Second factor: until a session is verified, a user who needs one sees only the 2FA pages.

Verified sessions cost nothing (the marker is in the session); the others are sent to enter a
code or, with no authenticator yet, to set one up, with ``next`` kept. htmx requests get an
``HX-Redirect`` so the whole page moves. The API is left to its session authentication, which
refuses an unverified session with 401 (``npohub/api/auth.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from . import two_factor

# Paths an unverified user may still open (besides the 2FA pages themselves).
OPEN_PREFIXES = ("/i18n/", "/jsi18n/", "/api/")


def _open_paths() -> tuple[str, ...]:
    names = ("accounts:login", "accounts:logout", "accounts:otp-verify", "accounts:otp-setup")
    static = (settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")
    return (*(reverse(name) for name in names), *static, *OPEN_PREFIXES)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = two_factor.session_pending_state(request)
        if state and not request.path.startswith(_open_paths()):
            return self._redirect(request, state)
        return self.get_response(request)

    @staticmethod
    def _redirect(request: HttpRequest, state: str) -> HttpResponse:
        name = "accounts:otp-verify" if state == two_factor.VERIFY else "accounts:otp-setup"
        url = reverse(name)
        htmx = getattr(request, "htmx", False)
        if htmx:
            # Move the whole page, unless it already is a sign-in page (whose header widgets
            # also ask for fragments): answering those with a redirect would reload it forever.
            response = HttpResponse(status=204)
            current = urlsplit(str(getattr(htmx, "current_url", "") or "")).path
            if not current.startswith(_open_paths()):
                response["HX-Redirect"] = url
            return response
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
