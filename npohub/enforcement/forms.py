"""HTML input for the enforcement pages and the public complaint form. Shapes only: the
services decide (a service's ``ValidationFailed.details`` lands next to the field it names,
through the one ``core.forms.apply_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from npohub.core.errors import DomainError, PermissionDenied
from npohub.core.forms import DateInput
from npohub.core.params import BoundedDecimalField, IdField

from .models import ComplaintCategory
from .selectors import CaseFilters, ComplaintFilters
from .workflows import (
    CASE_STATES,
    COMPLAINT_STATES,
    DORMANT_OUTCOMES,
    FINE_BASES,
    PENALTY_LABELS,
)

DATE = DateInput()


class PublicComplaintForm(forms.Form):
    # The service's sentence beside each field it names ("请具体描述……（至少 10 个字）").
    service_message_when = "always"

    complainant_name = forms.CharField(label=_("您的姓名（可不填）"), required=False, max_length=50)
    contact = forms.CharField(
        label=_("联系方式"),
        max_length=100,
        help_text=_("手机或电子邮箱，仅用于核实和答复，不会公开"),
        error_messages={"required": _("请填写联系方式，以便答复")},
    )
    organization_text = forms.CharField(
        label=_("被投诉举报的组织"),
        max_length=200,
        help_text=_("请填写组织全称；也可以填写活动名称或地点"),
        error_messages={"required": _("请填写被投诉举报的组织名称")},
    )
    category = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("请选择")), *ComplaintCategory.choices],
        error_messages={"required": _("请选择投诉举报类别")},
    )
    description = forms.CharField(
        label=_("投诉举报内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=_("时间、地点、经过，以及您掌握的证据"),
        error_messages={"required": _("请具体描述投诉举报的事项（至少 10 个字）")},
    )

    def detail_field(self, key: str) -> str:
        """The service names the organisation; the form asks for its name."""
        return "organization_text" if key == "organization" else key


class LookupForm(forms.Form):
    number = forms.CharField(label=_("受理编号"), max_length=24, required=False)


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或组织"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *COMPLAINT_STATES.items()]
    )
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), *ComplaintCategory.choices]
    )
    open = forms.BooleanField(label=_("只看未办结"), required=False)
    overdue = forms.BooleanField(label=_("只看已超期"), required=False)
    mine = forms.BooleanField(label=_("只看分派给我的"), required=False)

    def to_filters(self) -> ComplaintFilters:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return ComplaintFilters(
            state=data.get("state", ""),
            category=data.get("category", ""),
            overdue=bool(data.get("overdue")),
            open_only=bool(data.get("open")),
            mine=bool(data.get("mine")),
            q=(data.get("q") or "").strip(),
        )


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或组织"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *CASE_STATES.items()]
    )
    open = forms.BooleanField(label=_("只看未结案"), required=False)

    def to_filters(self) -> CaseFilters:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return CaseFilters(
            state=data.get("state", ""),
            open_only=bool(data.get("open")),
            q=(data.get("q") or "").strip(),
        )


class TransitionForm(forms.Form):
    transition = forms.CharField(max_length=32)
    note = forms.CharField(required=False, max_length=4000)
    transferred_to = forms.CharField(required=False, max_length=200)
    decision_number = forms.CharField(required=False, max_length=60)


class AssignForm(forms.Form):
    assignee = IdField(label=_("承办人"))


class NoteForm(forms.Form):
    text = forms.CharField(label=_("核查记录"), max_length=4000, widget=forms.Textarea)


class LinkCaseForm(forms.Form):
    case = IdField(label=_("处罚案件"))


class CaseForm(forms.Form):
    service_message_when = "always"

    organization = IdField(label=_("当事组织编号"), widget=forms.HiddenInput)
    title = forms.CharField(label=_("案由"), max_length=200)
    facts = forms.CharField(
        label=_("违法事实"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    complaint = IdField(required=False, widget=forms.HiddenInput)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("处罚种类"), choices=list(PENALTY_LABELS.items()))
    amount = BoundedDecimalField(
        label=_("金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    fine_basis = forms.ChoiceField(
        label=_("罚款计算基数"), required=False, choices=[("", "—"), *FINE_BASES.items()]
    )
    basis_amount = BoundedDecimalField(
        label=_("违法经营额/违法所得（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    suspend_until = forms.DateField(label=_("停止活动至"), required=False, widget=DATE)
    person_name = forms.CharField(label=_("人员姓名"), required=False, max_length=50)
    person_id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("缴款日期"), widget=DATE)
    amount = BoundedDecimalField(
        label=_("实缴金额（元）"), min_value=0, max_digits=14, decimal_places=2
    )


class CampaignForm(forms.Form):
    service_message_when = "always"

    name = forms.CharField(label=_("行动名称"), max_length=200)
    region = forms.CharField(label=_("范围（区划代码）"), max_length=12)
    report_years = forms.CharField(
        label=_("检查的年报年度"),
        required=False,
        help_text=_("用逗号分隔，如 2023,2024；不填则为最近两个已到期的年度"),
    )
    no_activity_since = forms.DateField(label=_("未开展活动起算日期"), required=False, widget=DATE)

    def clean_report_years(self) -> list[int]:
        raw = (self.cleaned_data.get("report_years") or "").replace("，", ",")
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("年度格式错误，例如 2023,2024")) from None

    def denial_field(self, exc: DomainError) -> str | None:
        """A bureau may run a campaign only in its own region: the refusal names the range."""
        return "region" if isinstance(exc, PermissionDenied) else None


class ContactForm(forms.Form):
    sent_on = forms.DateField(label=_("寄出日期"), widget=DATE)
    signed = forms.BooleanField(label=_("已签收"), required=False)
    returned_on = forms.DateField(label=_("退回日期"), required=False, widget=DATE)


class ActivityForm(forms.Form):
    occurred_on = forms.DateField(label=_("活动日期"), widget=DATE)
    description = forms.CharField(label=_("活动情况"), max_length=300)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("处置结果"), choices=[(k, v) for k, v in DORMANT_OUTCOMES.items() if k != "pending"]
    )
    note = forms.CharField(label=_("处置说明"), max_length=2000, widget=forms.Textarea)


class StatisticsForm(forms.Form):
    since = forms.DateField(label=_("起始日期"), required=False, widget=DATE)
