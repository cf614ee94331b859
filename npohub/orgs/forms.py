"""HTML input for the registry pages. Forms only shape input; the services decide what is valid."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput
from npohub.core.i18n import short_label
from npohub.regions.codes import is_valid as is_region_code
from npohub.regions.codes import prefix_of
from npohub.regions.forms import RegionCascadeField
from npohub.regions.models import Region

from .models import (
    Category,
    CertificateForm,
    FoundationType,
    Kind,
    ManagementLevel,
    Organization,
    Status,
)
from .selectors import ORDERINGS, OrganizationFilters
from .validation import FIELD_LABELS, REQUIRED_FIELDS, OrganizationInput, organization_input_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The registered-funds label depends on the kind (社会团体 活动资金 / 社会服务机构 开办资金 / 基金会 原始基金).
FUNDS_LABELS: dict[Kind, StrOrPromise] = {
    Kind.ASSOCIATION: _("活动资金（元）"),
    Kind.SOCIAL_SERVICE: _("开办资金（元）"),
    Kind.FOUNDATION: _("原始基金（元）"),
    Kind.COMMUNITY_GROUP: _("活动资金（元）"),
}

# Fields left out of the edit form for a user who may not see personal data (ID numbers and
# phones; the organisation's contact phone is often an officer's own mobile).
PERSONAL_FIELDS = frozenset(
    {"legal_representative_id_number", "legal_representative_phone", "phone"}
)

ORDER_LABELS = {
    "name": _("名称拼音 A→Z"),
    "-name": _("名称拼音 Z→A"),
    "-registration_date": _("登记日期（新→旧）"),
    "registration_date": _("登记日期（旧→新）"),
    "uscc": _("统一社会信用代码"),
    "updated": _("最近更新"),
}


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in Category.objects.filter(is_active=True)]


def region_prefix(text: str) -> str:
    """A region filter as typed (code or prefix) → the code prefix of its subtree."""
    text = text.strip()
    if len(text) == 12 and is_region_code(text):
        return prefix_of(text)
    return text


class OrganizationFilterForm(forms.Form):
    """The list page filters; ``to_filters`` hands them to ``organization_list_for``."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=60)
    # A select per level from the user's scope down (names, never typed codes); a region
    # outside the scope is refused. The API keeps taking a code (api.orgs.region_prefix).
    region = RegionCascadeField(label=_("所在区划"))
    kind = forms.ChoiceField(label=_("类型"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    level = forms.ChoiceField(label=_("管理层级"), required=False)
    year = forms.IntegerField(label=_("登记年份"), required=False, min_value=1949, max_value=2100)
    order = forms.ChoiceField(label=_("排序"), required=False)

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[str, str]],
        region_root: Region | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(RegionCascadeField, self.fields["region"]).root = region_root
        cast(forms.ChoiceField, self.fields["kind"]).choices = _blank(_("全部类型")) + [
            (value, short_label(label)) for value, label in Kind.choices
        ]
        cast(forms.ChoiceField, self.fields["category"]).choices = (
            _blank(_("全部类别")) + categories
        )
        cast(forms.ChoiceField, self.fields["status"]).choices = _blank(_("全部状态")) + list(
            Status.choices
        )
        cast(forms.ChoiceField, self.fields["level"]).choices = _blank(_("全部层级")) + list(
            ManagementLevel.choices
        )
        cast(forms.ChoiceField, self.fields["order"]).choices = [
            (k, ORDER_LABELS[k]) for k in ORDERINGS if k in ORDER_LABELS
        ]
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("名称、拼音首字母或信用代码"), "type": "search"}
        )
        self.fields["year"].widget.attrs.update(
            {"placeholder": _("如 2020"), "class": "input-year"}
        )

    def to_filters(self) -> OrganizationFilters:
        """The valid filters; an invalid one (shown as an error) is left out, not the rest."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return OrganizationFilters(
            region_prefix=region_prefix(data.get("region") or ""),
            kind=data.get("kind") or "",
            category=data.get("category") or "",
            status=data.get("status") or "",
            management_level=data.get("level") or "",
            registered_year=data.get("year"),
            search=data.get("q") or "",
            order=data.get("order") or "name",
        )


class RegistryErrors:
    """A service refusal on a registry form (``core.forms.apply_service_errors`` reads this
    hook): a detail about a registry field the form does not show is labelled on top."""

    def detail_label(self, key: str) -> str | None:
        label = FIELD_LABELS.get(key)
        return str(label) if label is not None else None


class OrganizationForm(RegistryErrors, forms.Form):
    """The registry record of one organisation, field names as in ``OrganizationInput``.

    Everything is text here: ``clean_organization`` (through the service) checks the values and
    its messages are placed next to these same fields.
    """

    name = forms.CharField(max_length=200)
    uscc = forms.CharField(max_length=18)
    category_code = forms.ChoiceField()
    management_level = forms.ChoiceField()
    authority_region_code = forms.CharField(max_length=12)
    community_code = forms.CharField(max_length=12)
    address = forms.CharField(max_length=300)
    supervisory_unit = forms.CharField(max_length=200)
    legal_representative_name = forms.CharField(max_length=50)
    legal_representative_id_number = forms.CharField(max_length=18)
    legal_representative_phone = forms.CharField(max_length=20)
    registered_funds = forms.CharField(max_length=20)
    foundation_type = forms.ChoiceField()
    certificate_form = forms.ChoiceField()
    is_charity = forms.BooleanField()
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    business_scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    activity_area = forms.CharField(max_length=200)
    registration_date = forms.CharField(widget=DateInput())
    phone = forms.CharField(max_length=30)

    # Grouping for the page (fields missing for a kind are skipped).
    SECTIONS = (
        (
            _("基本信息"),
            (
                "name",
                "uscc",
                "category_code",
                "management_level",
                "registration_date",
                "registered_funds",
                "foundation_type",
                "certificate_form",
                "is_charity",
            ),
        ),
        (
            _("住所与管理"),
            ("authority_region_code", "community_code", "address", "supervisory_unit", "phone"),
        ),
        (
            _("法定代表人/负责人"),
            (
                "legal_representative_name",
                "legal_representative_id_number",
                "legal_representative_phone",
            ),
        ),
        (_("宗旨与业务"), ("purpose", "business_scope", "activity_area")),
    )
    HELP = {
        "uscc": _("18位，民政登记以“5”开头：社会团体51、社会服务机构52、基金会53"),
        "authority_region_code": _("登记管理机关所在区划的12位代码，如 370102000000"),
        "community_code": _("住所所在社区/村的12位代码，如 370102001002"),
        "supervisory_unit": _("直接登记类别（行业协会商会、科技、公益慈善、城乡社区服务）可不填"),
        "registered_funds": _("以元为单位，如 30000"),
    }

    def __init__(
        self,
        *args: Any,
        kind: str,
        categories: list[tuple[str, str]],
        show_personal_data: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        drop = set()
        if kind == Kind.COMMUNITY_GROUP:
            drop |= {"uscc", "foundation_type", "certificate_form", "authority_region_code"}
        if kind != Kind.FOUNDATION:
            drop.add("foundation_type")
        if kind != Kind.SOCIAL_SERVICE:
            drop.add("certificate_form")
        if not show_personal_data:
            drop |= PERSONAL_FIELDS
        for name in drop:
            del self.fields[name]
        required = set(REQUIRED_FIELDS[kind])
        for name, field in self.fields.items():
            field.label = FIELD_LABELS.get(name, name)
            # Browsers mark required fields; the service is still the one that enforces them.
            field.required = False
            field.show_required = name in required  # type: ignore[attr-defined]
            if name in required:
                field.widget.attrs["aria-required"] = "true"
            if name in self.HELP:
                field.help_text = self.HELP[name]
        self.fields["registered_funds"].label = FUNDS_LABELS[Kind(kind)]
        self.fields["registered_funds"].widget.attrs["inputmode"] = "decimal"
        cast(forms.ChoiceField, self.fields["category_code"]).choices = _blank("—") + categories
        cast(forms.ChoiceField, self.fields["management_level"]).choices = _blank(
            _("按类型默认")
        ) + list(ManagementLevel.choices)
        if "foundation_type" in self.fields:
            cast(forms.ChoiceField, self.fields["foundation_type"]).choices = _blank("—") + list(
                FoundationType.choices
            )
        if "certificate_form" in self.fields:
            cast(forms.ChoiceField, self.fields["certificate_form"]).choices = _blank("—") + list(
                CertificateForm.choices
            )
        for name in ("authority_region_code", "community_code"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"inputmode": "numeric", "maxlength": "12"})

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.SECTIONS
        ]

    def to_input(self, *, hidden_phone: str = "") -> OrganizationInput:
        """The input for the service; ``hidden_phone`` is the organisation's current phone, kept
        when the form does not show it (to a user who may not see personal data). Hidden ID
        numbers need nothing: the service keeps the representative when the name is unchanged."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data.get(name) for name in self.fields}
        values["is_charity"] = bool(data.get("is_charity"))
        if "phone" not in self.fields:
            values["phone"] = hidden_phone
        return OrganizationInput(kind=self.kind, **values)

    @staticmethod
    def initial_for(org: Organization, *, show_personal_data: bool) -> dict[str, Any]:
        values = asdict(organization_input_of(org))
        del values["kind"], values["status"]
        if not show_personal_data:
            for name in PERSONAL_FIELDS:
                values[name] = ""
        if values["registered_funds"] is None:
            values["registered_funds"] = ""
        date = values["registration_date"]
        values["registration_date"] = date.isoformat() if date else ""
        return values


class StatusChangeForm(RegistryErrors, forms.Form):
    """Every status is offered: the lifecycle table in the service says which moves are legal."""

    status = forms.ChoiceField(label=_("变更为"))
    reason = forms.CharField(
        label=_("变更原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明依据，如处罚决定书文号、注销登记申请等。"),
    )
    effective_on = forms.DateField(
        label=_("生效日期"),
        required=False,
        widget=DateInput(),
        help_text=_("不填则为今天。"),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = _blank("—") + [
            (value, label) for value, label in Status.choices if value != current
        ]
        self.fields["reason"].show_required = True  # type: ignore[attr-defined]


def as_of_date(value: str) -> dt.date | None:
    """``?as_of=YYYY-MM-DD`` → a date, or None when absent or unreadable."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
