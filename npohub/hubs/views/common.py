"""What the hub pages share: the signed-in user, pagination, small forms posted on a detail page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.http import attempt
from npohub.core.permissions import Decision

from ..models import HubKind

PAGE_SIZE = 20


def signed_in(request: HttpRequest) -> User:
    """The user of a ``login_required`` view."""
    return cast(User, request.user)


def require_page(decision: Decision) -> None:
    """A page the user's role does not have is the 404 of a missing page."""
    if not decision:
        raise Http404(_("页面不存在"))


def page_of(request: HttpRequest, items: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def kind_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(str(label), counts.get(kind, 0)) for kind, label in HubKind.choices]


def submit(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    *,
    done: str,
    invalid: str,
) -> None:
    """Run one service with a small form posted on a detail page: a refusal or an invalid form
    comes back as a message on that page (``invalid`` says what to fill in)."""
    if form.is_valid():
        attempt(request, lambda: action(form.cleaned_data), success=done)
    else:
        messages.error(request, invalid)
