"""Identifier checks: the unified social credit code (GB 32100-2015) and resident ID numbers.

python-stdnum does the arithmetic; it is wrapped because ``stdnum.cn.uscc`` requires the first
8 characters to be digits and so rejects valid codes starting with A, N or Y, and because it
does not check the authority/category pair (domain-rules rules 1–4).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

from .i18n import enumeration

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
AUTHORITY_CODES = "123456789ANY"
CIVIL_AFFAIRS_AUTHORITY = "5"  # 民政
CIVIL_AFFAIRS_CATEGORIES = {
    "1": gettext_lazy("社会团体"),
    "2": gettext_lazy("民办非企业单位"),
    "3": gettext_lazy("基金会"),
    "9": gettext_lazy("其他"),
}


class IdentifierError(ValueError):
    """A code failed a check; ``message`` says which part is wrong (in the active language)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def uscc_compact(value: str) -> str:
    return uscc.compact(value or "").upper()


def uscc_check_character(first17: str) -> str:
    """The 18th character for the first 17 (mod-31 with weights 3^(i-1) mod 31)."""
    return str(uscc.calc_check_digit(first17))


def uscc_validate(value: str, *, expected_category: str | None = None) -> str:
    """Return the compact USCC or raise :class:`IdentifierError` naming the wrong part.

    ``expected_category`` is the position-2 digit the organisation kind requires; when given,
    position 1 must be 5 (registered by 民政) and position 2 must equal it.
    """
    code = uscc_compact(value)
    if len(code) != 18:
        raise IdentifierError(
            _("统一社会信用代码应为18位，当前为%(length)s位") % {"length": len(code)},
            code="uscc_length",
        )
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise IdentifierError(
            _("统一社会信用代码含有不允许的字符：%(characters)s（不使用 I、O、S、V、Z）")
            % {"characters": enumeration(bad)},
            code="uscc_charset",
        )
    if code[0] not in AUTHORITY_CODES:
        raise IdentifierError(
            _("第1位登记管理部门代码“%(character)s”无效") % {"character": code[0]},
            code="uscc_authority",
        )
    if not code[2:8].isdigit():
        raise IdentifierError(
            _("第3–8位应为登记管理机关行政区划代码（6位数字）"), code="uscc_division"
        )
    # stdnum checks the checksum; it rejects a non-digit first character, so check a digit
    # stand-in for A/N/Y and compute their checksum ourselves.
    expected = uscc_check_character(code[:17]) if not code[0].isdigit() else None
    try:
        if expected is None:
            uscc.validate(code)
        elif code[17] != expected:
            raise stdnum_exceptions.InvalidChecksum()
    except stdnum_exceptions.InvalidChecksum as exc:
        raise IdentifierError(
            _("第18位校验码错误：应为“%(expected)s”，实为“%(actual)s”")
            % {"expected": uscc_check_character(code[:17]), "actual": code[17]},
            code="uscc_checksum",
        ) from exc
    except stdnum_exceptions.ValidationError as exc:
        raise IdentifierError(
            _("统一社会信用代码格式错误：%(error)s") % {"error": exc}, code="uscc_format"
        ) from exc
    if expected_category is not None:
        if code[0] != CIVIL_AFFAIRS_AUTHORITY:
            raise IdentifierError(
                _("第1位应为“5”（民政部门登记），实为“%(actual)s”") % {"actual": code[0]},
                code="uscc_not_civil_affairs",
            )
        if code[1] != expected_category:
            want = CIVIL_AFFAIRS_CATEGORIES.get(expected_category, expected_category)
            got = CIVIL_AFFAIRS_CATEGORIES.get(code[1], _("未知类别"))
            raise IdentifierError(
                _(
                    "第2位机构类别应为“%(expected)s”（%(expected_name)s），实为“%(actual)s”（%(actual_name)s）"
                )
                % {
                    "expected": expected_category,
                    "expected_name": want,
                    "actual": code[1],
                    "actual_name": got,
                },
                code="uscc_category_mismatch",
            )
    return code


def id_number_validate(value: str) -> str:
    """Return the compact resident ID number (18 chars) or raise :class:`IdentifierError`."""
    raw = (value or "").strip().upper()
    try:
        return str(ric.validate(raw))
    except stdnum_exceptions.InvalidLength as exc:
        raise IdentifierError(_("身份证号应为18位"), code="id_length") from exc
    except stdnum_exceptions.InvalidChecksum as exc:
        raise IdentifierError(_("身份证号校验位错误"), code="id_checksum") from exc
    except stdnum_exceptions.InvalidComponent as exc:
        raise IdentifierError(_("身份证号中的出生日期或地区码无效"), code="id_component") from exc
    except stdnum_exceptions.ValidationError as exc:
        raise IdentifierError(_("身份证号格式错误"), code="id_format") from exc


def mask_id_number(value: str) -> str:
    """Show the first 6 and last 4 characters: 370102********1234."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
