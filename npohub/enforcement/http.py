"""The client address the complaint throttle counts (shared by the portal and the API)."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """``REMOTE_ADDR``: behind a reverse proxy, the proxy must set it to the real client
    (e.g. uvicorn/gunicorn ``--forwarded-allow-ips``); a client-supplied header is never trusted."""
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")
