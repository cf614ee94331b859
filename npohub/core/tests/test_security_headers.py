"""Content-Security-Policy, Permissions-Policy and Referrer-Policy on every page, and templates
that need no inline script or style to work under that policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE_DIR / "templates", *sorted((BASE_DIR / "npohub").glob("*/templates"))]

INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=\s*[\"']", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
JAVASCRIPT_URL = re.compile(r"\b(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.I)
# htmx evaluates these with Function(), which the policy forbids (no 'unsafe-eval').
HTMX_EVAL = re.compile(
    r"hx-on[:\-]|hx-vals\s*=\s*[\"']\s*js:|hx-trigger\s*=\s*\"(?:[^\"]*?,\s*)?[\w.-]+\[", re.I
)

# A widget's attrs={"style": …} renders as a style= attribute too.
WIDGET_STYLE = re.compile(r"[\"']style[\"']\s*:\s*[\"'][^\"']*[:;]")


def templates() -> list[Path]:
    return [path for folder in TEMPLATE_DIRS for path in sorted(folder.rglob("*.html"))]


def test_the_policy_allows_scripts_and_styles_only_from_the_platform_itself(client, db):
    response = client.get(reverse("portal:home"))
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_pages_send_permissions_referrer_and_framing_policies(client, cast):
    client.force_login(cast["city"])
    for url in [reverse("portal:home"), reverse("accounts:login"), reverse("supervision:calendar")]:
        response = client.get(url)
        assert "camera=()" in response["Permissions-Policy"], url
        assert "geolocation=()" in response["Permissions-Policy"], url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["X-Frame-Options"] == "DENY", url
        assert "Content-Security-Policy" in response, url


def test_api_answers_carry_the_policy_too(client, db):
    response = client.get("/api/v1/public/organizations/")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("inline <script>", INLINE_SCRIPT),
        ("on…= event handler", EVENT_HANDLER),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("javascript: URL", JAVASCRIPT_URL),
        ("htmx expression needing eval", HTMX_EVAL),
    ],
)
def test_no_template_needs_what_the_policy_blocks(name, pattern):
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in templates()
        for text in [path.read_text(encoding="utf-8")]
        for match in pattern.finditer(text)
    ]
    assert offenders == [], f"{name} in {offenders}"


def test_no_form_widget_or_view_puts_a_style_attribute_on_a_page():
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in sorted((BASE_DIR / "npohub").rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
        for text in [path.read_text(encoding="utf-8")]
        for match in WIDGET_STYLE.finditer(text)
    ]
    assert offenders == []


def test_htmx_is_told_not_to_inject_styles_or_evaluate_expressions(client, db):
    html = client.get(reverse("portal:home")).content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
