"""Sign-in (password, then the second factor), my account (password, 2FA, API tokens) and user
management for bureau user administrators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.errors import DomainError, NotFound, ValidationFailed

from . import services, spraying, two_factor
from .forms import (
    ApiTokenForm,
    LoginForm,
    OtpCodeForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    SetPasswordForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    apply_service_errors,
)
from .models import ApiToken, RecoveryCodeDevice, User
from .permissions import can_disable_second_factor, can_enrol_second_factor, can_manage_users
from .selectors import api_token_get_for, user_get_for, user_list_for

USERS_PER_PAGE = 20


def _safe_next(request: HttpRequest) -> str:
    """``next`` when it is a path of this site, else the default landing page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _spray_locked(request: HttpRequest) -> HttpResponse:
    context = {"window_minutes": settings.LOGIN_SPRAY_WINDOW_MINUTES}
    return render(request, "accounts/login_blocked.html", context, status=429)


class LoginView(auth_views.LoginView):
    """Password first; a user who needs a second factor goes on to enter (or set up) it.

    An address locked for password spraying gets the 429 page whatever it sends."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ip = spraying.client_ip(request)
        if spraying.is_locked(ip):
            return _spray_locked(request)
        response = super().post(request, *args, **kwargs)
        if getattr(request, spraying.LOCKED_ATTR, False) or (
            response.status_code == 200 and spraying.is_locked(ip)
        ):
            return _spray_locked(request)
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        state = two_factor.session_pending_state(self.request)
        if state == two_factor.VERIFY:
            return redirect(_with_next("accounts:otp-verify", self.get_success_url()))
        if state == two_factor.ENROL:
            return redirect(_with_next("accounts:otp-setup", self.get_success_url()))
        return response


login_view = LoginView.as_view()
logout_view = auth_views.LogoutView.as_view()


def _tokens_of(user: User) -> list[ApiToken]:
    return list(user.api_tokens.order_by("revoked_at", "-expires_at", "-created_at"))


def _my_account(request: HttpRequest, form: ApiTokenForm, raw_key: str = "") -> HttpResponse:
    user = request.user
    context = {
        "form": form,
        "tokens": _tokens_of(user),  # type: ignore[arg-type]
        "raw_key": raw_key,
        "has_second_factor": two_factor.has_second_factor(user),
        "second_factor_required": two_factor.second_factor_required(user),
        "recovery_codes_left": two_factor.recovery_codes_left(user),
        "can_disable_second_factor": bool(can_disable_second_factor(user)),
        "disable_form": PasswordConfirmForm(),
    }
    return render(request, "accounts/my_account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_account(request: HttpRequest) -> HttpResponse:
    """Profile, password, second factor and API tokens; a new token's key is shown on this
    response only."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=request.user,
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已创建令牌“%(name)s”") % {"name": token.name})
            return _my_account(request, ApiTokenForm(), raw_key=raw)
    return _my_account(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """The signed-in user changes their own password; the session stays signed in."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_change(
                actor=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改"))
            return redirect("accounts:me")
    return render(request, "accounts/password_change.html", {"form": form})


# --- second factor -------------------------------------------------------------------------


def _recovery_codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """The only time these codes are shown."""
    context = {"codes": codes, "next_url": next_url}
    return render(request, "accounts/otp_recovery_codes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    next_url = _safe_next(request)
    state = two_factor.session_pending_state(request)
    if state == two_factor.ENROL:
        return redirect(_with_next("accounts:otp-setup", next_url))
    if state != two_factor.VERIFY:
        return redirect(next_url)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_verify(actor=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            request.session.cycle_key()
            two_factor.mark_session_verified(request, device)
            if isinstance(device, RecoveryCodeDevice):
                left = device.codes.count()
                messages.warning(
                    request,
                    _("已使用一个恢复码，还剩 %(left)s 个。请尽快在“我的账号”中重新生成恢复码。")
                    % {"left": left},
                )
            return redirect(next_url)
    context = {"form": form, "next_url": next_url, "nav_groups": []}  # no menu before the code
    return render(request, "accounts/otp_verify.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app: scan the QR code, confirm with its code, keep
    the ten recovery codes shown once."""
    next_url = _safe_next(request)
    verified = two_factor.session_is_verified(request)
    if not can_enrol_second_factor(request.user, session_verified=verified):
        return redirect(_with_next("accounts:otp-verify", next_url))
    secret = two_factor.enrolment_secret(request)
    form = OtpCodeForm(request.POST or None, numeric=True)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.otp_enrol(
                actor=request.user,
                secret=secret,
                code=form.cleaned_data["code"],
                session_verified=verified,
            )
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            request.session.cycle_key()
            two_factor.mark_session_verified(request, device)
            messages.success(request, _("两步验证已启用"))
            return _recovery_codes_page(request, codes, next_url)
    pending = two_factor.unsaved_device(request.user, secret)
    context = {
        "form": form,
        "next_url": next_url,
        "qr": two_factor.qr_svg(pending.config_url),
        "secret": two_factor.base32_secret(pending),
        "required": two_factor.second_factor_required(request.user),
        "replacing": two_factor.has_second_factor(request.user),
    }
    if not verified:
        context["nav_groups"] = []  # no menu before the second factor is set up
    return render(request, "accounts/otp_setup.html", context)


@login_required
@require_POST
def otp_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes (the old ones stop working)."""
    try:
        codes = services.otp_recovery_codes_regenerate(actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:me")
    return _recovery_codes_page(request, codes, reverse("accounts:me"))


@login_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    """Turn off one's own (voluntary) second factor, confirmed with the password."""
    form = PasswordConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(_("请输入登录密码"))
        services.otp_disable(actor=request.user, password=form.cleaned_data["password"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        request.session.pop(two_factor.PENDING_KEY, None)
        messages.success(request, _("两步验证已停用"))
    return redirect("accounts:me")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the signed-in user's own tokens."""
    try:
        token = api_token_get_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
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
    context = {
        "form": form,
        "target": target,
        "target_has_second_factor": two_factor.has_second_factor(target),
    }
    return render(request, "accounts/user_form.html", context)


@login_required
@require_POST
def user_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A user administrator clears a user's authenticator (a lost phone)."""
    target = _managed_user(request, pk)
    try:
        services.otp_reset(actor=request.user, user=target)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已重置“%(name)s”的两步验证，该用户下次登录时需重新设置身份验证器")
            % {"name": target},
        )
    return redirect("accounts:user-edit", pk=target.pk)


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
