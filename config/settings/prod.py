"""Production: only hardening; every value still comes from the environment.

``manage.py check --deploy`` is clean with these defaults (checked in ``.ci/run``). Behind a
reverse proxy that terminates TLS, set ``SECURE_PROXY_SSL_HEADER=true`` (the proxy must then
set ``X-Forwarded-Proto`` itself and drop the client's), or the HTTPS redirect loops.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env, env_bool, env_int

# Keys that were ever written down somewhere (this repository, Django's templates, tutorials).
KNOWN_DEFAULT_KEYS = {
    "dev-only-insecure-key-change-me-in-production-npohub",
    "change-me",
    "changeme",
    "secret",
    "django-insecure",
}
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 10
# Shannon estimate over the whole key: 50 random hex digits give ~195 bits, urlsafe ~260.
SECRET_KEY_MIN_BITS = 150


def secret_key_problem(key: str | None) -> str | None:
    """Why ``key`` is unfit for production, or None.

    Missing, a development or well-known default, shorter than 50 characters, fewer than 10
    distinct characters, or a low entropy estimate (a repeated pattern) are all refused.
    """
    if not key:
        return "SECRET_KEY (or SECRET_KEY_FILE) must be set in production"
    lowered = key.lower()
    if (
        key in KNOWN_DEFAULT_KEYS
        or lowered.startswith(("dev-only", "django-insecure"))
        or "change-me" in lowered
        or "changeme" in lowered
    ):
        return "SECRET_KEY is a development or published default; generate a new one"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters long"
    counts = Counter(key)
    if len(counts) < SECRET_KEY_MIN_UNIQUE:
        return f"SECRET_KEY must use at least {SECRET_KEY_MIN_UNIQUE} different characters"
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    # A repeated pattern compresses to far less than half the key's length; random text does not.
    compressed = len(zlib.compress(key.encode("utf-8"), 9))
    if bits < SECRET_KEY_MIN_BITS or compressed < len(key) // 2:
        return "SECRET_KEY has too little entropy (a repeated or guessable pattern)"
    return None


# The environment is the only source in production (base.py falls back to a development key).
_problem = secret_key_problem(env("SECRET_KEY"))
if _problem:
    raise ImproperlyConfigured(
        _problem + ' (e.g. python -c "import secrets; print(secrets.token_urlsafe(64))")'
    )

DEBUG = False

# HTTPS only: redirect plain HTTP, tell browsers never to use it again (HSTS, one year, with
# subdomains and the preload directive — which only consents to the browsers' preload list; the
# domain is listed only if someone submits it at hstspreload.org), cookies only over HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
