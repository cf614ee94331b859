"""Error pages: Chinese, in the site's look, with a way back; never a traceback or URL list."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults


def boom(*args, **kwargs):
    raise RuntimeError("deliberate failure in a test")


@pytest.fixture
def quiet_client(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


def assert_chinese_error_page(response, heading: str) -> None:
    html = response.content.decode()
    assert heading in html
    assert 'href="/"' in html and "返回首页" in html
    assert "npohub/app.css" in html  # the site's stylesheet
    assert "Traceback" not in html and "URLconf" not in html


def test_a_missing_page_is_a_chinese_404_with_the_menu_and_a_way_home(quiet_client, db):
    response = quiet_client.get("/no-such-page/")
    assert response.status_code == 404
    assert_chinese_error_page(response, "页面不存在")
    assert "topbar" in response.content.decode()


def test_an_unexpected_error_is_a_chinese_500_page(quiet_client, db, monkeypatch):
    monkeypatch.setattr("npohub.portal.views.public_organization_get", boom)
    response = quiet_client.get(reverse("portal:organization", args=[1]))
    assert response.status_code == 500
    assert_chinese_error_page(response, "系统出错了")
    assert "deliberate failure" not in response.content.decode()


def test_the_500_and_400_pages_render_without_a_request_or_context_processors():
    for template, heading in [("500.html", "系统出错了"), ("400.html", "请求无效")]:
        html = loader.get_template(template).render({})
        assert heading in html and "返回首页" in html


def test_django_default_handlers_use_the_chinese_pages(rf: RequestFactory, db):
    request = rf.get("/x/")
    assert "请求无效" in defaults.bad_request(request, Exception()).content.decode()
    assert "系统出错了" in defaults.server_error(request).content.decode()
    request.user = AnonymousUser()
    forbidden = defaults.permission_denied(request, Exception())
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()


def test_a_stale_csrf_token_gets_a_chinese_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
