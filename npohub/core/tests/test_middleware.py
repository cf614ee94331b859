import json

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import RequestFactory

from npohub.core.middleware import ChineseFirstLocaleMiddleware, HtmxMessageMiddleware


def test_the_browser_language_does_not_override_chinese(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"


def test_the_language_cookie_still_switches_to_english(client, db):
    client.cookies["django_language"] = "en"
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "en"


def test_accept_language_is_removed_before_locale_negotiation():
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="en")
    ChineseFirstLocaleMiddleware(lambda r: HttpResponse())(request)
    assert "HTTP_ACCEPT_LANGUAGE" not in request.META


@pytest.mark.django_db
def test_flash_messages_reach_htmx_swaps_as_parseable_json(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/", HTTP_HX_REQUEST="true")
    request.htmx = True
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    messages.success(request, "已保存")

    response = HtmxMessageMiddleware(lambda r: HttpResponse("ok"))(request)

    header = response["HX-Trigger"]
    header.encode("ascii")  # a header htmx can read: no MIME-encoded non-ASCII
    assert json.loads(header)["messages"] == [{"level": "success", "text": "已保存"}]
