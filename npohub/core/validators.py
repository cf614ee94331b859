"""Identifier checks: the unified social credit code (GB 32100-2015) and resident ID numbers.

python-stdnum does the arithmetic; it is wrapped because ``stdnum.cn.uscc`` requires the first
8 characters to be digits and so rejects valid codes starting with A, N or Y, and because it
does not check the authority/category pair (domain-rules rules 1–4).
"""

from __future__ import annotations

import re
import unicodedata

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


MOBILE = re.compile(r"1[3-9]\d{9}")
SERVICE = re.compile(r"([48]00)(\d{3})(\d{4})")
_SEPARATORS = re.compile(r"[\s\-()]+")
_EXTENSION = re.compile(r"转|ext\.?|#")


def _without_country_code(digits: str) -> str:
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            return digits[len(prefix) :]
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def _phone_readings(value: str) -> list[tuple[str, str]]:
    """The ways to read a typed number: (digits without country code, extension digits)."""
    text = unicodedata.normalize("NFKC", value or "").strip().lower()  # full-width digits too
    split = _EXTENSION.split(text, maxsplit=1)
    pieces = [(split[0], split[1])] if len(split) == 2 else [(text, "")]
    if len(split) == 1 and text.count("-") >= 2:
        head, tail = text.rsplit("-", 1)  # 0531-86123456-801: the last group is an extension
        pieces.append((head, tail))
    return [(_without_country_code(_SEPARATORS.sub("", a)), b.strip()) for a, b in pieces]


def phone_validate(value: str, *, mobile: bool = False) -> str:
    """Return the phone number written one way, or raise :class:`IdentifierError`.

    A mobile number is 11 digits starting 13–19 (``13812345678``); a landline is an area code
    (010 and 02x three digits, the others four) and a 7–8 digit number (``0531-86123456``, an
    extension as ``-801``); 400/800 service numbers are 10 digits (``400-123-4567``). Spaces,
    hyphens, brackets, full-width digits and the +86 country code are accepted as typed.
    ``mobile``: mobile numbers only (负责人手机).
    """
    for digits, extension in _phone_readings(value):
        if extension and not (extension.isdigit() and len(extension) <= 6):
            continue
        if MOBILE.fullmatch(digits) and not extension:
            return digits
        if mobile or not digits.isdigit():
            continue
        service = SERVICE.fullmatch(digits)
        if service and not extension:
            return "-".join(service.groups())
        if digits.startswith("0") and len(digits) > 2:
            area = digits[:3] if digits[1] in "12" else digits[:4]
            local = digits[len(area) :]
            if 7 <= len(local) <= 8 and local[0] != "0":
                return f"{area}-{local}" + (f"-{extension}" if extension else "")
    typed = (value or "").strip()
    if mobile:
        raise IdentifierError(
            _("手机号码应为11位数字，以13–19开头（如 13812345678），当前为“%(value)s”")
            % {"value": typed},
            code="mobile_invalid",
        )
    raise IdentifierError(
        _(
            "电话号码格式不正确：手机为11位数字（如 13812345678），固定电话为区号加7–8位号码"
            "（如 0531-86123456），当前为“%(value)s”"
        )
        % {"value": typed},
        code="phone_invalid",
    )


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


def mask_contact(value: str) -> str:
    """A contact that is a phone or an e-mail address: a phone as :func:`mask_phone`, an
    address with its name hidden but the first character (z***@example.com)."""
    value = (value or "").strip()
    name, at, domain = value.partition("@")
    if at and name and domain:
        return name[0] + "***@" + domain
    return mask_phone(value)
