"""Production and demo settings: HTTPS everywhere, a strong SECRET_KEY or no start, DEBUG off."""

from __future__ import annotations

import importlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
STRONG_KEY = secrets.token_urlsafe(64)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter at the repository root with ``env`` on top of ours."""
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE either (set when they share a worker),
    # which the deployment check rightly reports.
    dropped = {"SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_REFERRER_POLICY", "SECURE_CSP",
    "PERMISSIONS_POLICY", "SETTINGS_MODULE"]}))
"""


@pytest.fixture(scope="module")
def prod_module():
    os.environ["SECRET_KEY"] = STRONG_KEY
    try:
        return importlib.import_module("config.settings.prod")
    finally:
        del os.environ["SECRET_KEY"]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "dev-only-insecure-key-change-me-in-production-npohub",
        "django-insecure-" + secrets.token_urlsafe(40),
        secrets.token_urlsafe(20),  # 27 characters
        "a" * 80,
        "abcdefghij" * 6,  # ten different characters, but a repeated pattern
        "change-me-" + secrets.token_urlsafe(50),
    ],
    ids=[
        "missing",
        "repository-default",
        "django-default",
        "short",
        "one-character",
        "pattern",
        "change-me",
    ],
)
def test_a_missing_short_default_or_low_entropy_secret_key_is_refused(prod_module, key):
    assert prod_module.secret_key_problem(key)


@pytest.mark.parametrize(
    "key",
    [STRONG_KEY, secrets.token_hex(25), secrets.token_urlsafe(40)],
    ids=["urlsafe-64", "hex-50", "urlsafe-40"],
)
def test_a_random_secret_key_is_accepted(prod_module, key):
    assert prod_module.secret_key_problem(key) is None


def test_production_refuses_to_start_with_a_weak_secret_key():
    for key in ["", "dev-only-insecure-key-change-me-in-production-npohub", "x" * 60]:
        result = run_python(
            SHOW_SETTINGS, DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=key
        )
        assert result.returncode != 0, key
        assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


def test_production_turns_on_https_redirect_hsts_secure_cookies_csp_and_permissions_policy():
    result = run_python(
        SHOW_SETTINGS,
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="npohub.example",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CSP"]["script-src"] == ["'self'"]
    assert "camera=()" in values["PERMISSIONS_POLICY"]


def test_django_deployment_check_is_clean_for_the_production_settings():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="npohub.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_demo_server_runs_with_debug_off_even_though_make_exports_the_dev_settings():
    result = run_python(
        "import json, config.wsgi_demo; from django.conf import settings as s; "
        "print(json.dumps([s.SETTINGS_MODULE, s.DEBUG]))",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["config.settings.demo", False]
