"""Sign-in (password, then the second factor), my account (password, 2FA, API tokens) and user
management for bureau user administrators."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.errors import NotFound
from npohub.core.http import attempt

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
)
from .models import RecoveryCodeDevice, User
from .permissions import can_disable_second_factor, can_enrol_second_factor, can_manage_users
from .selectors import api_token_get_for, api_tokens_of, user_get_for, user_list_for

USERS_PER_PAGE = 20


def _user(request: HttpRequest) -> User:
    """The signed-in user of a ``login_required`` view."""
    return cast(User, request.user)


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

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        state = two_factor.session_pending_state(self.request)
        if state == two_factor.VERIFY:
            return redirect(_with_next("accounts:otp-verify", self.get_success_url()))
        if state == two_factor.ENROL:
            return redirect(_with_next("accounts:otp-setup", self.get_success_url()))
        return response


login_view = LoginView.as_view()
logout_view = auth_views.LogoutView.as_view()


def _my_account(request: HttpRequest, form: ApiTokenForm, raw_key: str = "") -> HttpResponse:
    user = _user(request)
    context = {
        "form": form,
        "tokens": list(api_tokens_of(user)),
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
    user = _user(request)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request,
            lambda: services.api_token_create(
                actor=user,
                user=user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            ),
            form=form,
        )
        if created is not None:
            token, raw = created
            messages.success(request, _("已创建令牌“%(name)s”") % {"name": token.name})
            return _my_account(request, ApiTokenForm(), raw_key=raw)
    return _my_account(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """The signed-in user changes their own password; the session stays signed in."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = attempt(
            request,
            lambda: services.password_change(
                actor=_user(request),
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["password"],
            ),
            form=form,
        )
        if user is not None:
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
        device = attempt(
            request,
            lambda: services.otp_verify(actor=_user(request), code=form.cleaned_data["code"]),
            form=form,
        )
        if device is not None:
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
    user = _user(request)
    next_url = _safe_next(request)
    verified = two_factor.session_is_verified(request)
    if not can_enrol_second_factor(user, session_verified=verified):
        return redirect(_with_next("accounts:otp-verify", next_url))
    secret = two_factor.enrolment_secret(request)
    form = OtpCodeForm(request.POST or None, numeric=True)
    if request.method == "POST" and form.is_valid():
        enrolled = attempt(
            request,
            lambda: services.otp_enrol(
                actor=user,
                secret=secret,
                code=form.cleaned_data["code"],
                session_verified=verified,
            ),
            form=form,
        )
        if enrolled is not None:
            device, codes = enrolled
            request.session.cycle_key()
            two_factor.mark_session_verified(request, device)
            messages.success(request, _("两步验证已启用"))
            return _recovery_codes_page(request, codes, next_url)
    pending = two_factor.unsaved_device(user, secret)
    context = {
        "form": form,
        "next_url": next_url,
        "qr": two_factor.qr_svg(pending.config_url),
        "secret": two_factor.base32_secret(pending),
        "required": two_factor.second_factor_required(user),
        "replacing": two_factor.has_second_factor(user),
    }
    if not verified:
        context["nav_groups"] = []  # no menu before the second factor is set up
    return render(request, "accounts/otp_setup.html", context)


@login_required
@require_POST
def otp_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes (the old ones stop working)."""
    codes = attempt(request, lambda: services.otp_recovery_codes_regenerate(actor=_user(request)))
    if codes is None:
        return redirect("accounts:me")
    return _recovery_codes_page(request, codes, reverse("accounts:me"))


@login_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    """Turn off one's own (voluntary) second factor, confirmed with the password."""
    form = PasswordConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请输入登录密码"))
    elif attempt(
        request,
        lambda: services.otp_disable(actor=_user(request), password=form.cleaned_data["password"]),
        success=_("两步验证已停用"),
    ):
        request.session.pop(two_factor.PENDING_KEY, None)
    return redirect("accounts:me")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the signed-in user's own tokens."""
    user = _user(request)
    token = api_token_get_for(user, pk)
    services.api_token_revoke(actor=user, token=token)
    messages.success(request, _("令牌“%(name)s”已吊销，立即失效") % {"name": token.name})
    return redirect("accounts:me")


def _user_admin(request: HttpRequest) -> User:
    """The signed-in user administrator; the pages do not exist for anyone else (404)."""
    user = _user(request)
    if not can_manage_users(user):
        raise NotFound(_("页面不存在"))
    return user


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    """Users in the administrator's region, searchable and filtered by role."""
    user = _user_admin(request)
    filters = UserFilterForm(request.GET or None)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    users = user_list_for(user, search=data.get("q", ""), role=data.get("role", ""))
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"filters": filters, "page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    actor = _user_admin(request)
    form = UserCreateForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        user = attempt(
            request, lambda: services.user_create(actor=actor, **form.cleaned_data), form=form
        )
        if user is not None:
            messages.success(request, _("已创建用户“%(name)s”") % {"name": user})
            return redirect("accounts:user-list")
    return render(request, "accounts/user_form.html", {"form": form, "target": None})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    target = user_get_for(actor, pk)
    form = UserEditForm(request.POST or None, actor=actor, initial=UserEditForm.initial_for(target))
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.user_update(actor=actor, user=target, **form.cleaned_data),
            form=form,
        )
        if saved is not None:
            messages.success(request, _("已保存用户“%(name)s”") % {"name": saved})
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
    actor = _user(request)
    target = user_get_for(actor, pk)
    attempt(
        request,
        lambda: services.otp_reset(actor=actor, user=target),
        success=_("已重置“%(name)s”的两步验证，该用户下次登录时需重新设置身份验证器")
        % {"name": target},
    )
    return redirect("accounts:user-edit", pk=target.pk)


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    target = user_get_for(actor, pk)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.user_set_password(
                actor=actor, user=target, password=form.cleaned_data["password"]
            ),
            form=form,
            success=_("已重置“%(name)s”的密码") % {"name": target},
        )
        if saved is not None:
            return redirect("accounts:user-list")
    return render(request, "accounts/user_password.html", {"form": form, "target": target})
