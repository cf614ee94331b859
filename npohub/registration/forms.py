"""HTML input for the registration pages. Forms only shape input; the services decide.

``ApplicationForm`` is built for one application kind (its workflow's ``form``), organisation
kind and category: the fields it holds are the keys of ``Application.data`` (plus the header
choices the service takes as arguments), so a service's ``ValidationFailed.details`` lands next
to the field it names.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput, DocumentUploadForm
from npohub.core.validators import IdentifierError, phone_validate
from npohub.orgs.forms import FUNDS_LABELS
from npohub.orgs.models import (
    Category,
    CertificateForm,
    FoundationType,
    Kind,
    ManagementLevel,
    OfficerPosition,
    Organization,
)
from npohub.orgs.validation import FIELD_LABELS
from npohub.regions.codes import is_valid as is_region_code
from npohub.regions.codes import pad
from npohub.regions.models import Region

from . import rules
from .models import Application, AttachmentKind, Department, Opinion
from .selectors import ApplicationFilters, departments_for_authority
from .workflows import KIND_LABELS, STATE_LABELS, WORKFLOWS, Workflow

# Labels of the keys of ``Application.data`` beyond the registry fields (which use FIELD_LABELS).
DATA_LABELS: dict[str, Any] = {
    **FIELD_LABELS,
    "individual_members": _("个人会员数"),
    "unit_members": _("单位会员数"),
    "funds_paid_in_cash": _("原始基金为到账货币资金"),
    "parent_id": _("所属社会团体"),
    "parent_uscc": _("所属社会团体（统一社会信用代码）"),
    "changes": _("变更事项"),
    "officers": _("新一届负责人"),
    "term_years": _("任期（年）"),
    "reason": _("原因"),
    "liquidation_completed_on": _("清算完成日期"),
    "members": _("成员人数"),
    "articles_summary": _("章程修改要点"),
    "org_kind": _("组织类型"),
    "organization": _("组织"),
    "authority_code": _("登记管理机关所在区划"),
    "authority_region": _("登记管理机关所在区划"),
    "community_code": _("住所所在社区/村"),
    "supervisory_department": _("业务主管单位"),
    "supervisory_consent_on": _("业务主管单位同意日期"),
    "attachments": _("申请材料"),
}

# A filed group's form and record name some registry fields differently (no legal person).
FILING_LABELS: dict[str, Any] = {
    "address": _("活动场所"),
    "legal_representative_name": _("负责人"),
    "legal_representative_phone": _("负责人手机"),
    "purpose": _("宗旨和主要活动"),
}

# The registered-funds label of each organisation kind (活动资金 / 开办资金 / 原始基金).
FUNDS_BY_KIND: dict[str, Any] = {str(kind.value): label for kind, label in FUNDS_LABELS.items()}

# One line per kind for the "choose what to apply for" cards.
KIND_HELP: dict[str, Any] = {
    "name_approval": _("成立前先核准并预留组织名称，有效期半年"),
    "preparation": _("社会团体成立前申请筹备，筹备期内发展会员、召开成立大会"),
    "establishment": _("新成立社会团体、社会服务机构或基金会，或备案组织转为登记"),
    "change": _("变更名称、住所、法定代表人、宗旨、业务范围、注册资金或业务主管单位"),
    "articles": _("修改章程后报登记管理机关核准"),
    "reelection": _("理事会、负责人换届，或法定代表人、负责人任职审核"),
    "deregistration": _("完成清算后申请注销登记"),
    "revocation": _("登记管理机关依法撤销组织的登记"),
    "filing": _("社区社会组织经社区初审、街道同意后备案"),
}

# Registry fields the application forms ask for, in page order.
REGISTRY_FIELDS = (
    "name",
    "management_level",
    "community_code",
    "address",
    "phone",
    "legal_representative_name",
    "legal_representative_id_number",
    "legal_representative_phone",
    "registered_funds",
    "foundation_type",
    "certificate_form",
    "is_charity",
    "purpose",
    "business_scope",
    "activity_area",
)
# Region codes entered with the region picker, not a text input.
PICKER_FIELDS = frozenset({"authority_code", "community_code", "new_community_code"})
CHANGE_PREFIX = "new_"
# Where a key of a service's ``details`` is shown when the form names the field differently.
ERROR_ALIASES = {
    "authority_region": "authority_code",
    "parent_id": "parent_uscc",
    "kind": "organization",
}


def _blank(label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label)]


def _text(label: Any, *, max_length: int = 200, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


def _area(label: Any, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=10**7)


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput())


def amount_of(value: str) -> Decimal | None:
    """An amount in yuan as typed ("50000", "50,000.00"); None when it is not one."""
    try:
        amount = Decimal(value.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in Category.objects.filter(is_active=True)]


def region_code(value: str) -> str:
    """A 2–12 digit code as typed → 12 digits ("" when empty or malformed)."""
    value = (value or "").strip()
    return pad(value) if value and is_region_code(value) else ""


def is_direct(org_kind: str, category: Category | None, authority_code: str) -> bool:
    """Rule 10 as the service applies it: a direct-registration category needs no consent."""
    probe = Application(
        org_kind=org_kind, category=category, authority_region=Region(code=authority_code or "")
    )
    return rules.direct_category(probe)


def derived_authority(community_code: str, management_level: str) -> str:
    """The registering authority implied by the address and level (county unless higher)."""
    code = region_code(community_code)
    if not code:
        return ""
    digits = {"provincial": 2, "city": 4}.get(management_level, 6)
    return code[:digits].ljust(12, "0")


def values_of(params: QueryDict | dict[str, Any]) -> dict[str, Any]:
    """Form values as submitted, to show again unvalidated (when the form part is redrawn)."""
    if isinstance(params, QueryDict):
        return {key: params.get(key) for key in params}
    return dict(params)


# ---------------------------------------------------------------------------------------------
# The application form


class OfficerForm(forms.Form):
    """One row of the officers table (reelection)."""

    position = forms.ChoiceField(label=_("职务"), required=False)
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18)
    phone = forms.CharField(label=_("手机"), required=False, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["position"]).choices = _blank() + list(
            OfficerPosition.choices
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("id_number") or data.get("phone") or data.get("position")) and not data.get(
            "name"
        ):
            self.add_error("name", _("请填写姓名"))
        if data.get("phone"):
            try:
                data["phone"] = phone_validate(data["phone"], mobile=True)
            except IdentifierError as exc:
                self.add_error("phone", exc.message)
        if data.get("name") and not data.get("position"):
            self.add_error("position", _("请选择职务"))
        return data


OfficerFormSet = forms.formset_factory(OfficerForm, extra=0, max_num=60, absolute_max=60)
OFFICERS_PREFIX = "officers"


def officer_formset(
    data: QueryDict | None = None, *, initial: list[dict[str, Any]] | None = None, rows: int = 0
) -> Any:
    """The officers table: bound to ``data``, or ``initial`` padded to ``rows`` rows."""
    if data is not None:
        return OfficerFormSet(data, prefix=OFFICERS_PREFIX)
    initial = list(initial or [])
    total = max(rows, len(initial) + 1, 3)
    formset = forms.formset_factory(OfficerForm, extra=total - len(initial), max_num=60)
    return formset(initial=initial, prefix=OFFICERS_PREFIX)


def officer_rows_sent(values: dict[str, Any]) -> int:
    """How many rows the table had when sent (plus one when "add a row" was pressed)."""
    try:
        total = int(values.get(f"{OFFICERS_PREFIX}-TOTAL_FORMS") or 0)
    except ValueError:
        total = 0
    return min(total, 59) + (1 if "add_officer" in values else 0)


def officers_from_values(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Officer rows as submitted (``officers-0-name`` …), for redrawing the table."""
    try:
        total = int(values.get(f"{OFFICERS_PREFIX}-TOTAL_FORMS") or 0)
    except ValueError:
        total = 0
    rows = []
    for i in range(min(total, 60)):
        row = {
            f: values.get(f"{OFFICERS_PREFIX}-{i}-{f}") or ""
            for f in ("position", "name", "id_number", "phone")
        }
        if any(row.values()):
            rows.append(row)
    return rows


class ServiceErrorsOnFields:
    """Where a registration service's ``details`` show on the application forms
    (``core.forms.apply_service_errors`` reads these hooks)."""

    fields: dict[str, Any]
    # One detail: the service's sentence explains it best; several: each detail its own message.
    service_message_when = "single"

    def detail_field(self, key: str) -> str:
        name = ERROR_ALIASES.get(key, key)
        if name not in self.fields and CHANGE_PREFIX + name in self.fields:
            return CHANGE_PREFIX + name
        return name

    def detail_label(self, key: str) -> Any:
        return DATA_LABELS.get(key)


class ApplicationForm(ServiceErrorsOnFields, forms.Form):
    """The content of one application, for its kind, organisation kind and category.

    ``org_kind``, ``category`` and ``authority_code`` decide which fields appear; on the create
    page they are fields themselves (changing them redraws the form with htmx).
    """

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        kind: str,
        org_kind: str = "",
        category_code: str = "",
        authority_code: str = "",
        organization: Organization | None = None,
        upgrade_choices: list[Organization] | None = None,
        creating: bool = True,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.kind = kind
        self.workflow: Workflow = WORKFLOWS[kind]
        self.organization = organization
        self.creating = creating
        kinds = sorted(self.workflow.org_kinds, key=list(Kind.values).index)
        if organization is not None and kind != "establishment":
            org_kind = organization.kind
        if org_kind not in kinds:
            org_kind = kinds[0]
        self.org_kind = org_kind
        categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        self.category = categories.get(category_code)
        if self.category is None and organization is not None and kind != "establishment":
            self.category = organization.category
        if organization is not None and kind != "establishment" and organization.authority_region:
            authority_code = organization.authority_region.code
        self.authority_code = region_code(authority_code)
        self.upgrade_choices = upgrade_choices or []
        self.direct = is_direct(org_kind, self.category, self.authority_code)
        self._build(categories)

    # -- building ---------------------------------------------------------------------------

    def _build(self, categories: dict[str, Category]) -> None:
        form, kind = self.workflow.form, self.kind
        f = self.fields
        if (
            self.creating
            and len(self.workflow.org_kinds) > 1
            and not self.workflow.needs_organization
        ):
            f["org_kind"] = forms.ChoiceField(
                label=DATA_LABELS["org_kind"],
                choices=[(k, label) for k, label in Kind.choices if k in self.workflow.org_kinds],
            )
        if self.creating and kind == "establishment" and self.upgrade_choices:
            f["organization"] = forms.ChoiceField(
                label=_("备案组织转登记"),
                required=False,
                choices=_blank(_("不适用（新成立组织）"))
                + [(str(o.pk), o.name) for o in self.upgrade_choices],
                help_text=_("已备案的社区社会组织申请登记时选择，登记后沿用原记录和历史"),
            )
        if self.creating and not self.workflow.needs_organization and kind != "filing":
            f["authority_code"] = _text(DATA_LABELS["authority_code"], max_length=12)
            f["authority_code"].help_text = _(
                "由哪一级民政部门登记：如历下区民政局登记的，选“历下区”；不选则按住所和管理层级确定"
            )
        if form in ("organization", "name", "filing"):
            f["category_code"] = forms.ChoiceField(
                label=FIELD_LABELS["category_code"],
                required=False,
                choices=_blank() + [(c.code, c.name) for c in categories.values()],
            )
        if form == "organization":
            self._registry_fields()
            if self.org_kind == Kind.ASSOCIATION:
                f["individual_members"] = _count(DATA_LABELS["individual_members"])
                f["unit_members"] = _count(DATA_LABELS["unit_members"])
                if kind == "establishment":
                    f["parent_uscc"] = _text(DATA_LABELS["parent_uscc"], max_length=18)
                    f["parent_uscc"].help_text = _("设立分支机构时填写所属社会团体的信用代码")
            if self.org_kind == Kind.FOUNDATION:
                f["funds_paid_in_cash"] = forms.BooleanField(
                    label=DATA_LABELS["funds_paid_in_cash"], required=False
                )
        elif form == "name":
            f["name"] = _text(FIELD_LABELS["name"])
            f["management_level"] = self._level_field()
            f["activity_area"] = _text(FIELD_LABELS["activity_area"])
            f["purpose"] = _area(FIELD_LABELS["purpose"])
        elif form == "change":
            current = self.organization
            for name in rules.CHANGEABLE_FIELDS:
                if name in ("legal_representative_id_number", "legal_representative_phone"):
                    field: forms.Field = _text(FIELD_LABELS[name], max_length=20)
                elif name in ("purpose", "business_scope"):
                    field = _area(FIELD_LABELS[name], rows=2)
                else:
                    field = _text(FIELD_LABELS[name], max_length=200)
                if name == "registered_funds":
                    field.label = FUNDS_BY_KIND.get(self.org_kind, field.label)
                if name == "community_code":
                    field.label = DATA_LABELS["community_code"]
                now = _current_value(current, name)
                if now:
                    field.help_text = _("现登记：%(value)s") % {"value": now}
                f[CHANGE_PREFIX + name] = field
        elif form == "articles":
            f["articles_summary"] = _area(DATA_LABELS["articles_summary"], rows=6)
        elif form == "reelection":
            f["term_years"] = _count(DATA_LABELS["term_years"])
            for name in (
                "legal_representative_name",
                "legal_representative_id_number",
                "legal_representative_phone",
            ):
                f[name] = _text(FIELD_LABELS[name], max_length=50)
            f["legal_representative_name"].help_text = _("法定代表人不变的可不填")
        elif form == "closure":
            f["reason"] = _area(DATA_LABELS["reason"])
            if kind == "deregistration":
                f["liquidation_completed_on"] = _date(DATA_LABELS["liquidation_completed_on"])
        elif form == "filing":
            f["name"] = _text(FIELD_LABELS["name"])
            f["community_code"] = _text(DATA_LABELS["community_code"], max_length=12)
            f["address"] = _text(FILING_LABELS["address"], max_length=300)
            f["legal_representative_name"] = _text(
                FILING_LABELS["legal_representative_name"], max_length=50
            )
            f["legal_representative_phone"] = _text(
                FILING_LABELS["legal_representative_phone"], max_length=20
            )
            f["members"] = _count(DATA_LABELS["members"])
            f["purpose"] = _area(FILING_LABELS["purpose"])
            f["activity_area"] = _text(FIELD_LABELS["activity_area"])
        if self.shows_supervisory:
            f["supervisory_department"] = forms.ModelChoiceField(
                label=DATA_LABELS["supervisory_department"],
                required=False,
                queryset=self._supervisory_units(),
                empty_label="—",
            )
            f["supervisory_consent_on"] = _date(DATA_LABELS["supervisory_consent_on"])
            f["supervisory_department"].help_text = _(
                "非直接登记类别须经业务主管单位同意，受理前须上传同意文件"
            )
        for name, field in f.items():
            if name in PICKER_FIELDS:
                field.widget = forms.HiddenInput()

    def _level_field(self) -> forms.ChoiceField:
        return forms.ChoiceField(
            label=FIELD_LABELS["management_level"],
            required=False,
            choices=_blank(_("县（区）级（默认）")) + list(ManagementLevel.choices)[:-1],
        )

    def _registry_fields(self) -> None:
        f = self.fields
        for name in REGISTRY_FIELDS:
            if name == "foundation_type" and self.org_kind != Kind.FOUNDATION:
                continue
            if name == "certificate_form" and self.org_kind != Kind.SOCIAL_SERVICE:
                continue
            if name == "management_level":
                f[name] = self._level_field()
            elif name == "foundation_type":
                f[name] = forms.ChoiceField(
                    label=FIELD_LABELS[name],
                    required=False,
                    choices=_blank() + list(FoundationType.choices),
                )
            elif name == "certificate_form":
                f[name] = forms.ChoiceField(
                    label=FIELD_LABELS[name],
                    required=False,
                    choices=_blank() + list(CertificateForm.choices),
                )
            elif name == "is_charity":
                f[name] = forms.BooleanField(label=_("申请认定为慈善组织"), required=False)
            elif name in ("purpose", "business_scope"):
                f[name] = _area(FIELD_LABELS[name])
            elif name == "community_code":
                f[name] = _text(DATA_LABELS[name], max_length=12)
            else:
                f[name] = _text(FIELD_LABELS[name], max_length=300 if name == "address" else 200)
        f["name"].max_length = 200
        f["registered_funds"].label = FUNDS_BY_KIND.get(
            self.org_kind, FIELD_LABELS["registered_funds"]
        )
        f["registered_funds"].widget.attrs["inputmode"] = "decimal"
        f["registered_funds"].help_text = _("以元为单位，如 50000")
        f["legal_representative_id_number"].widget.attrs["autocomplete"] = "off"

    def _supervisory_units(self) -> Any:
        if not self.authority_code:
            return Department.objects.none()
        return departments_for_authority(self.authority_code, kind="supervisory")

    @property
    def shows_supervisory(self) -> bool:
        """The supervisory unit and its consent: only when the category is not direct (rule 10)."""
        if self.kind in ("name_approval", "filing", "revocation"):
            return False
        return self.org_kind != Kind.COMMUNITY_GROUP and not self.direct

    # -- page layout --------------------------------------------------------------------------

    SECTIONS = (
        (_("申请事项"), ("org_kind", "organization", "authority_code", "category_code")),
        (_("基本信息"), ("name", "management_level", "registered_funds", "foundation_type",
                      "funds_paid_in_cash", "certificate_form", "is_charity", "members",
                      "individual_members", "unit_members", "parent_uscc", "term_years")),
        (_("住所与联系"), ("community_code", "address", "phone")),
        (_("法定代表人/负责人"), ("legal_representative_name", "legal_representative_id_number",
                           "legal_representative_phone")),
        (_("宗旨与业务"), ("purpose", "business_scope", "activity_area", "articles_summary")),
        (_("注销/撤销"), ("reason", "liquidation_completed_on")),
        (_("业务主管单位"), ("supervisory_department", "supervisory_consent_on")),
    )  # fmt: skip

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        placed: set[str] = set()
        result = []
        if self.workflow.form == "change":
            changes = [self[n] for n in self.fields if n.startswith(CHANGE_PREFIX)]
            placed |= {b.name for b in changes}
            result.append((_("变更事项（只填写要变更的项目）"), changes))
        for title, names in self.SECTIONS:
            bound = [self[n] for n in names if n in self.fields and n not in placed]
            placed |= {b.name for b in bound}
            if bound:
                result.append((title, bound))
        return result

    @property
    def community_root(self) -> str:
        return self.authority_code

    # -- output -------------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        uscc = (data.get("parent_uscc") or "").strip().upper()
        if uscc:
            parent = Organization.objects.filter(uscc=uscc).only("pk").first()
            if parent is None:
                self.add_error(
                    "parent_uscc", _("没有找到信用代码为“%(code)s”的组织") % {"code": uscc}
                )
            else:
                data["parent_id"] = parent.pk
        for name in PICKER_FIELDS:
            value = (data.get(name) or "").strip()
            if value and not is_region_code(value):
                self.add_error(name, _("区划代码应为12位数字"))
        self._clean_amounts_and_phones(data)
        return data

    def _clean_amounts_and_phones(self, data: dict[str, Any]) -> None:
        """Checked when the draft is saved, beside the field (not first on submission): the
        registered funds are an amount in yuan, phones go through core's phone check."""
        for name in ("registered_funds", CHANGE_PREFIX + "registered_funds"):
            value = str(data.get(name) or "").strip()
            if name in self.fields and value and amount_of(value) is None:
                label = str(self.fields[name].label or "").replace("（元）", "")
                self.add_error(
                    name,
                    _("%(field)s应为以元为单位的金额，如 50000；“%(value)s”不是金额")
                    % {"field": label, "value": value},
                )
        for name in (
            "phone",
            "legal_representative_phone",
            CHANGE_PREFIX + "legal_representative_phone",
        ):
            value = str(data.get(name) or "").strip()
            if name not in self.fields or not value:
                continue
            try:
                data[name] = phone_validate(value, mobile=name != "phone")
            except IdentifierError as exc:
                self.add_error(name, exc.message)

    def chosen_org_kind(self) -> str:
        return self.cleaned_data.get("org_kind") or self.org_kind

    def chosen_authority(self) -> str:
        code = region_code(self.cleaned_data.get("authority_code") or "")
        if not code and "authority_code" in self.fields:
            code = derived_authority(
                self.cleaned_data.get("community_code") or "",
                self.cleaned_data.get("management_level") or "",
            )
        return code

    def chosen_organization_id(self) -> int | None:
        value = self.cleaned_data.get("organization") or ""
        return int(value) if str(value).isdigit() else None

    def to_data(self) -> dict[str, Any]:
        """The ``Application.data`` these fields make (empty answers left out)."""
        cd = self.cleaned_data
        skip = {
            "org_kind",
            "organization",
            "authority_code",
            "supervisory_department",
            "supervisory_consent_on",
            "parent_uscc",
        }
        data: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        for name in self.fields:
            if name in skip:
                continue
            value = cd.get(name)
            if isinstance(value, str):
                value = value.strip()
            if isinstance(value, dt.date):
                value = value.isoformat()
            if name in ("is_charity", "funds_paid_in_cash"):
                data[name] = bool(value)
                continue
            if value in (None, ""):
                continue
            if name in PICKER_FIELDS:
                value = region_code(str(value))
            if name.startswith(CHANGE_PREFIX):
                changes[name[len(CHANGE_PREFIX) :]] = value
            else:
                data[name] = value
        if self.workflow.form == "change":
            data["changes"] = changes
        if cd.get("parent_id"):
            data["parent_id"] = cd["parent_id"]
        return data

    def supervision(self) -> dict[str, Any]:
        """``supervisory_department`` / ``supervisory_consent_on`` for the service."""
        if "supervisory_department" not in self.fields:
            return {"supervisory_department": None, "supervisory_consent_on": None}
        return {
            "supervisory_department": self.cleaned_data.get("supervisory_department"),
            "supervisory_consent_on": self.cleaned_data.get("supervisory_consent_on"),
        }

    @staticmethod
    def initial_for(app: Application) -> dict[str, Any]:
        """The form values of a saved application (for the edit page)."""
        data = dict(app.data or {})
        values: dict[str, Any] = {
            k: v for k, v in data.items() if k not in ("changes", "officers", "parent_id")
        }
        for key, value in (data.get("changes") or {}).items():
            values[CHANGE_PREFIX + key] = value
        if data.get("parent_id"):
            parent = Organization.objects.filter(pk=data["parent_id"]).only("uscc").first()
            values["parent_uscc"] = parent.uscc if parent else ""
        if app.kind != "filing" and app.address_code != app.authority_region.code:
            values.setdefault("community_code", app.address_code)
        if app.kind == "filing":
            values["community_code"] = app.address_code
        values["supervisory_department"] = app.supervisory_department_id
        values["supervisory_consent_on"] = (
            app.supervisory_consent_on.isoformat() if app.supervisory_consent_on else ""
        )
        return values


def _current_value(org: Organization | None, name: str) -> str:
    if org is None:
        return ""
    if name.startswith("legal_representative"):
        person = org.legal_representative
        if person is None:
            return ""
        return {"legal_representative_name": person.name}.get(name, "")
    if name == "community_code":
        community = org.community
        return f"{community.name}（{community.code}）" if community else org.address_code
    value = getattr(org, name, "")
    return "" if value in (None, "") else str(value)


# ---------------------------------------------------------------------------------------------
# Lists, attachments, transitions, opinions


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=60)
    kind = forms.ChoiceField(label=_("申请事项"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)
    open = forms.BooleanField(label=_("只看办理中"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = _blank(_("全部事项")) + list(
            KIND_LABELS.items()
        )
        cast(forms.ChoiceField, self.fields["state"]).choices = _blank(_("全部状态")) + list(
            STATE_LABELS.items()
        )
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("组织名称或申请编号"), "type": "search"}
        )

    def to_filters(self) -> ApplicationFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return ApplicationFilters(
            kind=data.get("kind") or "",
            state=data.get("state") or "",
            q=(data.get("q") or "").strip(),
            open_only=bool(data.get("open")),
        )


class AttachmentForm(DocumentUploadForm):
    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        offered = [
            (value, label)
            for value, label in AttachmentKind.choices
            if kinds is None or value in kinds
        ]
        super().__init__(*args, kinds=offered, **kwargs)


class TransitionForm(forms.Form):
    transition = forms.CharField(max_length=32)
    note = forms.CharField(required=False, max_length=2000)


class OpinionForm(ServiceErrorsOnFields, forms.Form):
    opinion = forms.ChoiceField(
        label=_("审查意见"),
        choices=Opinion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择同意、不同意或需补正材料")},
    )
    reasons = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("不同意或要求补正材料时必须说明理由，申请人将看到全部理由"),
    )
