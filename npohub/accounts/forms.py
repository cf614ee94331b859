"""HTML input for sign-in, user management and API tokens. Cleaning only: rules live in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from npohub.core.errors import DomainError
from npohub.regions.models import Region

from .models import Role, TokenScope, User, Viewer
from .permissions import assignable_roles


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（注意区分大小写）。"),
        "inactive": _("该账号已停用，请联系本辖区用户管理员。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        # AuthenticationForm sets max_length after the field is built, so without this a user
        # name of any length reached authenticate() and the lockout records.
        self.fields["username"].validators.append(MaxLengthValidator(150))
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs["autocomplete"] = "username"


class RegionCodeWidget(forms.TextInput):
    """Plain input for a 12-digit division code.

    The htmx region picker (``regions/components/region_picker.html``) replaces this one class.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"inputmode": "numeric", "maxlength": "12", "placeholder": "370102001002"}
        super().__init__({**base, **(attrs or {})})


class RegionCodeField(forms.CharField):
    """A 12-digit statistical division code that names an active Region; cleans to the Region."""

    widget = RegionCodeWidget
    default_error_messages = {
        "format": _("区划代码应为12位数字，例如 370102000000"),
        "unknown": _("没有找到区划代码为“%(code)s”的有效区划"),
    }

    def to_python(self, value: Any) -> Region | None:  # type: ignore[override]
        if isinstance(value, Region):
            return value
        code = str(value or "").strip()
        if not code:
            return None
        if not (code.isdigit() and len(code) == 12):
            raise forms.ValidationError(self.error_messages["format"], code="format")
        region = Region.objects.active().filter(code=code).first()
        if region is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"code": code}
            )
        return region

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Region) else value


def _role_choices(actor: Viewer) -> list[tuple[str, Any]]:
    """The roles this administrator may give, in the order of ``Role``."""
    allowed = assignable_roles(actor)
    return [(value, label) for value, label in Role.choices if value in allowed]


# Refusals from ``permissions.py`` that are about one field of the user form (the reasons are
# translated, so they are compared in the active language).
DENIAL_FIELDS = (
    (_("只能在本辖区范围内分配区划"), "region"),
    (_("该角色必须指定所辖区划"), "region"),
    (_("不能分配该角色"), "role"),
)


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("角色"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("用户名或姓名")
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", _("全部角色")), *Role.choices]


class UserForm(forms.Form):
    """Fields shared by creating and editing a user."""

    display_name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("角色"))
    region = RegionCodeField(
        label=_("所辖区划代码"),
        required=False,
        help_text=_(
            "12位统计用区划代码；民政局、街道、社区和党建工作人员角色必须填写，且须在您的辖区内。"
        ),
    )
    organization_label = forms.CharField(label=_("所在单位"), max_length=200, required=False)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    is_user_admin = forms.BooleanField(
        label=_("可管理本辖区用户"),
        required=False,
        help_text=_("仅对市、区县民政局角色有效。"),
    )

    def __init__(self, *args: Any, actor: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "—"), *_role_choices(actor)]

    def denial_field(self, exc: DomainError) -> str | None:
        """The field a permission refusal is about (``core.forms.apply_service_errors``)."""
        return next((name for reason, name in DENIAL_FIELDS if str(reason) == exc.message), None)


class UserCreateForm(UserForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少10位，不能全是数字，不能与用户名、姓名或手机号相近。"),
    )

    field_order = [
        "username",
        "password",
        "display_name",
        "role",
        "region",
        "organization_label",
        "phone",
    ]


class UserEditForm(UserForm):
    is_active = forms.BooleanField(label=_("启用"), required=False)

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        return {
            "display_name": user.display_name,
            "role": user.role,
            "region": user.region.code if user.region else "",
            "organization_label": user.organization_label,
            "phone": user.phone,
            "is_user_admin": user.is_user_admin,
            "is_active": user.is_active,
        }


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少10位，不能全是数字，不能与用户名、姓名或手机号相近。"),
    )
    password_again = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data


# Validity periods offered on the page (those above API_TOKEN_MAX_DAYS are left out).
TOKEN_DAYS = (7, 30, 90, 180, 365)


def _token_day_choices() -> list[tuple[int, str]]:
    limit = int(settings.API_TOKEN_MAX_DAYS)
    days = sorted({d for d in TOKEN_DAYS if d <= limit} | {int(settings.API_TOKEN_DEFAULT_DAYS)})
    return [(d, _("%(days)s 天") % {"days": d}) for d in days if d <= limit]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=100,
        help_text=_("写明用途，例如“区数据中心同步”。"),
    )
    scope = forms.ChoiceField(
        label=_("权限"),
        required=False,
        choices=TokenScope.choices,
        widget=forms.RadioSelect,
        help_text=_("只读令牌只能查询；需要提交或修改数据的系统才选“读写”。"),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("有效期"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["expires_in_days"]).choices = _token_day_choices()
        self.fields["scope"].initial = TokenScope.READ
        self.fields["expires_in_days"].initial = settings.API_TOKEN_DEFAULT_DAYS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A form without these fields (an older page, a script) gets the safe defaults.
        data["scope"] = data.get("scope") or TokenScope.READ
        if data.get("expires_in_days") is None:
            data["expires_in_days"] = settings.API_TOKEN_DEFAULT_DAYS
        return data


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少10位，不能全是数字，不能与用户名、姓名或手机号相近。"),
    )
    password_again = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, numeric: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if numeric:
            self.fields["code"].widget.attrs.update({"inputmode": "numeric", "maxlength": "6"})
            self.fields["code"].help_text = _("身份验证器上显示的 6 位数字")
        else:
            self.fields["code"].help_text = _(
                "身份验证器上显示的 6 位数字；手机不在身边时，可输入一个恢复码。"
            )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
