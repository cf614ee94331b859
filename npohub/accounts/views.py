"""Sign-in, my account (API tokens) and user management for bureau user administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.errors import DomainError, NotFound

from . import services
from .forms import (
    ApiTokenForm,
    LoginForm,
    SetPasswordForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    apply_service_errors,
)
from .models import ApiToken, User
from .permissions import can_manage_users
from .selectors import user_get_for, user_list_for

USERS_PER_PAGE = 20

login_view = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)
logout_view = auth_views.LogoutView.as_view()


def _tokens_of(user: User) -> list[ApiToken]:
    return list(user.api_tokens.order_by("revoked_at", "-created_at"))


def _my_account(request: HttpRequest, form: ApiTokenForm, raw_key: str = "") -> HttpResponse:
    context = {"form": form, "tokens": _tokens_of(request.user), "raw_key": raw_key}  # type: ignore[arg-type]
    return render(request, "accounts/my_account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_account(request: HttpRequest) -> HttpResponse:
    """Profile and API tokens; a new token's key is shown on this response only."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已创建令牌“%(name)s”") % {"name": token.name})
            return _my_account(request, ApiTokenForm(), raw_key=raw)
    return _my_account(request, form)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the signed-in user's own tokens."""
    token = request.user.api_tokens.filter(pk=pk).first()  # type: ignore[union-attr]
    if token is None:
        raise Http404(_("令牌不存在"))
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌“%(name)s”已吊销，立即失效") % {"name": token.name})
    return redirect("accounts:me")


def _require_user_admin(request: HttpRequest) -> None:
    if not can_manage_users(request.user):
        raise Http404(_("页面不存在"))


def _managed_user(request: HttpRequest, pk: int) -> User:
    try:
        return user_get_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    """Users in the administrator's region, searchable and filtered by role."""
    _require_user_admin(request)
    filters = UserFilterForm(request.GET or None)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    users = user_list_for(request.user, search=data.get("q", ""), role=data.get("role", ""))
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"filters": filters, "page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    _require_user_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已创建用户“%(name)s”") % {"name": user})
            return redirect("accounts:user-list")
    return render(request, "accounts/user_form.html", {"form": form, "target": None})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    form = UserEditForm(request.POST or None, initial=UserEditForm.initial_for(target))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=target, **form.cleaned_data)
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已保存用户“%(name)s”") % {"name": target})
            return redirect("accounts:user-list")
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user(request, pk)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=target, password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已重置“%(name)s”的密码") % {"name": target})
            return redirect("accounts:user-list")
    return render(request, "accounts/user_password.html", {"form": form, "target": target})
