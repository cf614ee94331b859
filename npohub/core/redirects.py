"""Where a ``next`` parameter may send the browser: only somewhere on this platform.

Every view that redirects to a URL taken from the request (``next=…``, a stored link) asks
``safe_redirect_url``; anything else (another host, another scheme, ``//host``, ``javascript:``,
a backslash trick) falls back to the view's own page.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_FIELD = "next"


def is_safe_url(request: HttpRequest, url: str | None) -> bool:
    """Whether ``url`` stays on this site (same host, and HTTPS when the request is)."""
    if not url:
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_redirect_url(request: HttpRequest, url: str | None, fallback: str) -> str:
    """``url`` when it stays on this site, else ``fallback``."""
    return url if url is not None and is_safe_url(request, url) else fallback


def next_url(request: HttpRequest, fallback: str) -> str:
    """The ``next`` parameter (POST first, then the query) when it stays on this site."""
    candidate = request.POST.get(NEXT_FIELD) or request.GET.get(NEXT_FIELD)
    return safe_redirect_url(request, candidate, fallback)
