"""The HTTP glue: NotFound is a 404, PermissionDenied a 403, refusals land on the form."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from npohub.core.errors import NotFound, PermissionDenied, ValidationFailed
from npohub.core.http import DomainErrorMiddleware, attempt


def _request(path: str = "/orgs/1/"):
    request = RequestFactory().get(path)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
def test_a_not_found_from_any_view_answers_404_and_a_refusal_403():
    middleware = DomainErrorMiddleware(lambda r: None)
    assert middleware.process_exception(_request(), NotFound("组织不存在")).status_code == 404
    assert middleware.process_exception(_request(), PermissionDenied("无权")).status_code == 403


def test_the_api_keeps_its_own_error_envelope():
    middleware = DomainErrorMiddleware(lambda r: None)
    assert middleware.process_exception(_request("/api/v1/x"), NotFound("x")) is None


class NameForm(forms.Form):
    name = forms.CharField()


def test_a_refused_service_puts_its_message_beside_the_field_it_names():
    form = NameForm({"name": "x"})
    assert form.is_valid()

    def refuse():
        raise ValidationFailed("名称已被使用", details={"name": "名称已被使用"})

    assert attempt(_request(), refuse, form=form) is None
    assert form.errors["name"] == ["名称已被使用"]


def test_without_a_form_a_refusal_is_a_message_and_success_says_so():
    request = _request()

    def refuse():
        raise PermissionDenied("只有登记管理机关可以执行此操作")

    assert attempt(request, refuse) is None
    assert attempt(request, lambda: 7, success="已保存") == 7
    assert [str(m) for m in get_messages(request)] == ["只有登记管理机关可以执行此操作", "已保存"]


def test_not_found_is_not_shown_as_a_refusal_but_propagates():
    def missing():
        raise NotFound("不存在")

    with pytest.raises(NotFound):
        attempt(_request(), missing)


def test_an_action_offered_only_to_those_who_may_answers_a_refusal_with_403():
    request = _request()

    def refuse():
        raise PermissionDenied("只有辖区民政部门可以办理该步骤")

    def invalid():
        raise ValidationFailed("请填写理由", details={"note": "必填"})

    with pytest.raises(PermissionDenied):
        attempt(request, refuse, forbidden_is_403=True)
    assert attempt(request, invalid, forbidden_is_403=True) is None
    assert [str(m) for m in get_messages(request)] == ["请填写理由"]
