"""Cleaning of organisation input, shared by forms, the API and the Excel import.

``clean_organization`` returns cleaned values and a dict ``field → message``; callers decide
how to show the messages (a form field, an API ``details`` entry, an import row and column).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from npohub.core.i18n import in_source_language, short_label
from npohub.core.params import DecimalOutOfRange, decimal_limit, parse_decimal
from npohub.core.validators import (
    IdentifierError,
    id_number_validate,
    phone_validate,
    uscc_validate,
)
from npohub.regions.models import Level, Region

from .models import (
    REGISTERED_KINDS,
    USCC_CATEGORY_DIGIT,
    Category,
    CertificateForm,
    FoundationType,
    Kind,
    ManagementLevel,
    Organization,
    Person,
    Status,
)

# Required fields per kind (domain-rules rule 11); supervisory unit handled separately (rule 10).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.ASSOCIATION: (
        "name",
        "uscc",
        "address",
        "purpose",
        "business_scope",
        "activity_area",
        "legal_representative_name",
        "registered_funds",
        "registration_date",
        "authority_region_code",
    ),
    Kind.SOCIAL_SERVICE: (
        "name",
        "uscc",
        "address",
        "purpose",
        "business_scope",
        "legal_representative_name",
        "registered_funds",
        "certificate_form",
        "registration_date",
        "authority_region_code",
    ),
    Kind.FOUNDATION: (
        "name",
        "uscc",
        "address",
        "foundation_type",
        "purpose",
        "business_scope",
        "registered_funds",
        "legal_representative_name",
        "registration_date",
        "authority_region_code",
    ),
    Kind.COMMUNITY_GROUP: ("name", "community_code", "registration_date"),
}

# The field names in Chinese: the import template's column headers, which users type into
# their spreadsheets and so never change with the interface language (``imports.py``).
FIELD_HEADERS: dict[str, str] = {
    "kind": gettext_noop("组织类型"),
    "name": gettext_noop("名称"),
    "uscc": gettext_noop("统一社会信用代码"),
    "category_code": gettext_noop("类别"),
    "management_level": gettext_noop("管理层级"),
    "authority_region_code": gettext_noop("登记管理机关区划代码"),
    "community_code": gettext_noop("住所社区/村区划代码"),
    "address": gettext_noop("住所"),
    "supervisory_unit": gettext_noop("业务主管单位"),
    "legal_representative_name": gettext_noop("法定代表人/负责人"),
    "legal_representative_id_number": gettext_noop("法定代表人身份证号"),
    "legal_representative_phone": gettext_noop("法定代表人手机"),
    "registered_funds": gettext_noop("注册资金（元）"),
    "foundation_type": gettext_noop("基金会类型"),
    "certificate_form": gettext_noop("证书形式"),
    "is_charity": gettext_noop("慈善组织"),
    "purpose": gettext_noop("宗旨"),
    "business_scope": gettext_noop("业务范围"),
    "activity_area": gettext_noop("活动地域"),
    "registration_date": gettext_noop("登记（备案）日期"),
    "status": gettext_noop("状态"),
    "phone": gettext_noop("联系电话"),
}
# The same names in the interface language: form labels and messages.
FIELD_LABELS = {name: gettext_lazy(header) for name, header in FIELD_HEADERS.items()}


# The fields cleaned as text (the others are parsed: funds, date, charity flag).
_TEXT_FIELDS = tuple(
    f for f in FIELD_HEADERS if f not in {"registered_funds", "registration_date", "is_charity"}
)


# The column bounds every input is held to (SQLite enforces none of them; see core.params).
def _column(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


FUNDS_MAX_DIGITS: int = _column(Organization, "registered_funds").max_digits
FUNDS_DECIMAL_PLACES: int = _column(Organization, "registered_funds").decimal_places
_MAX_LENGTHS: dict[str, int] = {
    name: _column(Organization, name).max_length
    for name in ("address", "supervisory_unit", "activity_area", "phone")
}
# Free texts without a column length (宗旨, 业务范围): a generous cap, not a page-breaking one.
TEXT_MAX_LENGTH = 5000
_MAX_LENGTHS.update({"purpose": TEXT_MAX_LENGTH, "business_scope": TEXT_MAX_LENGTH})
_MAX_LENGTHS["legal_representative_name"] = _column(Person, "name").max_length


@dataclass
class OrganizationInput:
    """Raw values as a user, an API client or a spreadsheet row supplies them."""

    kind: str = ""
    name: str = ""
    uscc: str = ""
    category_code: str = ""
    management_level: str = ""
    authority_region_code: str = ""
    community_code: str = ""
    address: str = ""
    supervisory_unit: str = ""
    legal_representative_name: str = ""
    legal_representative_id_number: str = ""
    legal_representative_phone: str = ""
    registered_funds: Any = None
    foundation_type: str = ""
    certificate_form: str = ""
    is_charity: Any = False
    purpose: str = ""
    business_scope: str = ""
    activity_area: str = ""
    registration_date: Any = None
    status: str = ""
    phone: str = ""


@dataclass
class CleanedOrganization:
    kind: str
    name: str
    uscc: str | None
    category: Category | None
    management_level: str
    authority_region: Region | None
    community: Region | None
    address_code: str
    address: str
    supervisory_unit: str
    legal_representative_name: str
    legal_representative_id_number: str
    legal_representative_phone: str
    registered_funds: Decimal | None
    foundation_type: str
    certificate_form: str
    is_charity: bool
    purpose: str
    business_scope: str
    activity_area: str
    registration_date: dt.date | None
    status: str
    phone: str


@dataclass
class Lookups:
    """Caches for repeated cleaning (imports): categories and regions by code, parsed dates."""

    categories: dict[str, Category] = field(default_factory=dict)
    categories_by_name: dict[str, Category] = field(default_factory=dict)
    regions: dict[str, Region | None] = field(default_factory=dict)
    # (type, raw value) → the parsed date, or None when the value is not a date.
    dates: dict[tuple[type, Any], dt.date | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        cats = list(Category.objects.filter(is_active=True))
        return cls(
            categories={c.code: c for c in cats}, categories_by_name={c.name: c for c in cats}
        )

    def category(self, value: str) -> Category | None:
        return self.categories.get(value) or self.categories_by_name.get(value)

    def region(self, code: str) -> Region | None:
        if code not in self.regions:
            self.regions[code] = Region.objects.active().filter(code=code).first()
        return self.regions[code]

    def date(self, value: Any) -> dt.date:
        """``parse_date`` remembered per raw value (a file repeats a few dates many times)."""
        try:
            key = (type(value), value)
            parsed = self.dates.get(key, _MISSING)
        except TypeError:  # an unhashable value: parse it every time
            return parse_date(value)
        if parsed is _MISSING:
            try:
                parsed = parse_date(value)
            except ValueError:
                parsed = None
            self.dates[key] = parsed
        if parsed is None:
            raise ValueError(value)
        date: dt.date = parsed
        return date


_MISSING: Any = object()


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# (choices class, active language) → accepted text → choice value; built once per language
# because the labels are lazy translations.
_CHOICE_MAPS: dict[tuple[type[models.TextChoices], str | None], dict[str, str]] = {}


def _choice_map(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    mapping = _CHOICE_MAPS.get((choices, language))
    if mapping is None:
        mapping = {}
        # The first choice whose label (or the label without its bracketed note) matches wins,
        # in the interface language, then in Chinese (the language of the import templates) …
        labelled = [(value, str(label)) for value, label in choices.choices]
        labelled += [(value, in_source_language(label)) for value, label in choices.choices]
        for choice_value, text in labelled:
            mapping.setdefault(text, str(choice_value))
            mapping.setdefault(short_label(text), str(choice_value))
        # … but a value always means itself.
        mapping.update({str(v): str(v) for v in choices.values})
        _CHOICE_MAPS[(choices, language)] = mapping
    return mapping


def _choice(
    value: str,
    choices: type[models.TextChoices],
    labels_ok: bool = True,
    language: Any = _MISSING,
) -> str | None:
    """Accept a choice by value or by its label (in the interface language or in Chinese)."""
    if not labels_ok:
        return value if value in choices.values else None
    if language is _MISSING:
        language = translation.get_language()
    return _choice_map(choices, language).get(value)


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = (
        _text(value)
        .replace("/", "-")
        .replace(".", "-")
        .replace("年", "-")
        .replace("月", "-")
        .rstrip("日")
    )
    return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() in {"1", "true", "yes", "y", "是", "√"}


def _region_code(value: Any) -> str:
    text = _text(value)
    return text.ljust(12, "0") if text.isdigit() and len(text) in (2, 4, 6, 9, 12) else text


def clean_organization(
    raw: OrganizationInput, *, lookups: Lookups | None = None, today: dt.date | None = None
) -> tuple[CleanedOrganization | None, dict[str, str]]:
    """Check every field of one organisation; returns (cleaned, {})/(None, {field: message})."""
    lookups = lookups or Lookups.load()
    today = today or dt.datetime.now(tz=dt.UTC).date()
    errors: dict[str, str] = {}

    language = translation.get_language()
    kind = _choice(_text(raw.kind), Kind, language=language)
    if kind is None:
        errors["kind"] = _(
            "组织类型“%(value)s”无效，应为：社会团体、社会服务机构、基金会或备案社区社会组织"
        ) % {"value": _text(raw.kind)}
        kind = Kind.ASSOCIATION
    values = {f: _text(getattr(raw, f)) for f in _TEXT_FIELDS}
    values["kind"] = kind
    for name in REQUIRED_FIELDS[kind]:
        if (values[name] if name in values else _text(getattr(raw, name))) == "":
            errors[name] = _("%(field)s为必填项") % {"field": FIELD_LABELS[name]}

    uscc: str | None = None
    if kind in REGISTERED_KINDS:
        if values["uscc"] and "uscc" not in errors:
            try:
                uscc = uscc_validate(
                    values["uscc"], expected_category=USCC_CATEGORY_DIGIT[Kind(kind)]
                )
            except IdentifierError as exc:
                errors["uscc"] = exc.message
    elif values["uscc"]:
        errors["uscc"] = _("备案社区社会组织没有统一社会信用代码，请留空")

    name = values["name"]
    if name and len(name) > 200:
        errors["name"] = _("名称不能超过200个字符")
    for text_field, max_length in _MAX_LENGTHS.items():
        if text_field not in errors and len(values.get(text_field, "")) > max_length:
            errors[text_field] = _("%(field)s不能超过%(max)s个字符") % {
                "field": FIELD_LABELS[text_field],
                "max": max_length,
            }

    category = None
    if values["category_code"]:
        category = lookups.category(values["category_code"])
        if category is None:
            errors["category_code"] = _("未知类别“%(value)s”") % {"value": values["category_code"]}
    needs_supervisor = (
        kind in (Kind.ASSOCIATION, Kind.SOCIAL_SERVICE) and not values["supervisory_unit"]
    )
    if needs_supervisor and (category is None or not category.is_direct_registration):
        errors.setdefault(
            "supervisory_unit",
            _("非直接登记类别（行业协会商会、科技、公益慈善、城乡社区服务）须填写业务主管单位"),
        )

    level = values["management_level"]
    management_level = (_choice(level, ManagementLevel, language=language) if level else None) or (
        ManagementLevel.STREET if kind == Kind.COMMUNITY_GROUP else ManagementLevel.COUNTY
    )
    if level and _choice(level, ManagementLevel, language=language) is None:
        errors["management_level"] = _("管理层级“%(value)s”无效") % {"value": level}

    authority_region = None
    auth_code = _region_code(raw.authority_region_code)
    if auth_code:
        authority_region = lookups.region(auth_code)
        if authority_region is None:
            errors["authority_region_code"] = _("未知的区划代码“%(value)s”") % {
                "value": _text(raw.authority_region_code)
            }
        elif authority_region.level > Level.COUNTY:
            errors["authority_region_code"] = _("登记管理机关应在县级及以上")

    community = None
    comm_code = _region_code(raw.community_code)
    if comm_code:
        community = lookups.region(comm_code)
        if community is None:
            errors["community_code"] = _("未知的社区/村代码“%(value)s”") % {
                "value": _text(raw.community_code)
            }
        elif kind == Kind.COMMUNITY_GROUP and community.level != Level.VILLAGE:
            errors["community_code"] = _("备案社区社会组织须属于一个社区或村（12位代码）")
    address_code = (
        community.code if community else (authority_region.code if authority_region else "")
    )

    funds: Decimal | None = None
    if raw.registered_funds not in (None, ""):
        try:
            funds = parse_decimal(
                raw.registered_funds
                if isinstance(raw.registered_funds, Decimal)
                else _text(raw.registered_funds),
                max_digits=FUNDS_MAX_DIGITS,
                decimal_places=FUNDS_DECIMAL_PLACES,
            )
            if funds is not None and funds < 0:
                errors["registered_funds"] = _("注册资金不能为负数")
                funds = None
        except DecimalOutOfRange as exc:
            if exc.code == "not_a_number":
                errors["registered_funds"] = _("注册资金“%(value)s”不是数字") % {
                    "value": _text(raw.registered_funds)[:40]
                }
            elif exc.code == "too_many_places":
                errors["registered_funds"] = _("注册资金最多保留两位小数")
            elif exc.code == "too_small":
                errors["registered_funds"] = _("注册资金不能为负数")
            else:
                errors["registered_funds"] = _("注册资金超出范围（须小于 %(limit)s 元）") % {
                    "limit": f"{decimal_limit(FUNDS_MAX_DIGITS, FUNDS_DECIMAL_PLACES):,}"
                }

    registration_date = None
    if raw.registration_date not in (None, ""):
        try:
            registration_date = lookups.date(raw.registration_date)
            if registration_date > today:
                errors["registration_date"] = _("登记（备案）日期不能晚于今天")
        except ValueError:
            errors["registration_date"] = _("日期“%(value)s”无法识别，请用 2024-03-01 格式") % {
                "value": _text(raw.registration_date)
            }

    foundation_type = ""
    if values["foundation_type"]:
        foundation_type = (
            _choice(values["foundation_type"], FoundationType, language=language) or ""
        )
        if not foundation_type:
            errors["foundation_type"] = _("基金会类型应为公募或非公募")
    certificate_form = ""
    if values["certificate_form"]:
        certificate_form = (
            _choice(values["certificate_form"], CertificateForm, language=language) or ""
        )
        if not certificate_form:
            errors["certificate_form"] = _("证书形式应为法人、合伙或个体")
    status: str = Status.ACTIVE
    if values["status"]:
        status = _choice(values["status"], Status, language=language) or ""
        if not status:
            errors["status"] = _("状态“%(value)s”无效") % {"value": values["status"]}

    id_number = values["legal_representative_id_number"]
    if id_number:
        try:
            id_number = id_number_validate(id_number)
        except IdentifierError as exc:
            errors["legal_representative_id_number"] = exc.message

    # The legal representative's number is a mobile (法定代表人手机); the contact phone may also
    # be a landline or a 400/800 number. Both are stored written one way.
    for field_name, mobile in (("legal_representative_phone", True), ("phone", False)):
        if values[field_name]:
            try:
                values[field_name] = phone_validate(values[field_name], mobile=mobile)
            except IdentifierError as exc:
                errors[field_name] = exc.message

    if errors:
        return None, errors
    return (
        CleanedOrganization(
            kind=kind,
            name=name,
            uscc=uscc,
            category=category,
            management_level=str(management_level),
            authority_region=authority_region,
            community=community,
            address_code=address_code,
            address=values["address"],
            supervisory_unit=values["supervisory_unit"],
            legal_representative_name=values["legal_representative_name"],
            legal_representative_id_number=id_number,
            legal_representative_phone=values["legal_representative_phone"],
            registered_funds=funds,
            foundation_type=foundation_type,
            certificate_form=certificate_form,
            is_charity=parse_bool(raw.is_charity),
            purpose=values["purpose"],
            business_scope=values["business_scope"],
            activity_area=values["activity_area"],
            registration_date=registration_date,
            status=str(status),
            phone=values["phone"],
        ),
        {},
    )


def organization_input_of(org: Organization) -> OrganizationInput:
    """The stored record as raw input values: the starting point of an edit form or a PATCH."""
    person = org.legal_representative
    return OrganizationInput(
        kind=org.kind,
        name=org.name,
        uscc=org.uscc or "",
        category_code=org.category.code if org.category else "",
        management_level=org.management_level,
        authority_region_code=org.authority_region.code if org.authority_region else "",
        community_code=org.community.code if org.community else "",
        address=org.address,
        supervisory_unit=org.supervisory_unit,
        legal_representative_name=person.name if person else "",
        legal_representative_id_number=person.id_number if person else "",
        legal_representative_phone=person.phone if person else "",
        registered_funds=org.registered_funds,
        foundation_type=org.foundation_type,
        certificate_form=org.certificate_form,
        is_charity=org.is_charity,
        purpose=org.purpose,
        business_scope=org.business_scope,
        activity_area=org.activity_area,
        registration_date=org.registration_date,
        status=org.status,
        phone=org.phone,
    )
