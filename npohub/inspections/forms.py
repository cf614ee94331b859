"""HTML input shapes for the spot-check pages (cleaning only; the rules live in services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput
from npohub.core.params import IdField
from npohub.orgs.models import Category

from .models import Conclusion, FindingType, Method, PlanKind
from .services import STRATUM_KINDS, PlanInput

RATIO_LABELS = {
    "association": _("社会团体比例（%）"),
    "social_service": _("社会服务机构比例（%）"),
    "foundation": _("基金会比例（%）"),
    "charity": _("慈善组织比例（%，单独分层）"),
}


class ServiceErrorsOnFields:
    """Where a spot-check service's refusal shows (``core.forms.apply_service_errors`` reads
    these hooks): its whole sentence beside the field it names, else on top of the form."""

    service_message_when = "always"

    def detail_field(self, key: str) -> str:
        return {"finding_id": "finding", "user": "username"}.get(key, key)


class PlanForm(ServiceErrorsOnFields, forms.Form):
    title = forms.CharField(label=_("计划名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("抽查类型"), choices=PlanKind.choices)
    method = forms.ChoiceField(label=_("检查方式"), choices=Method.choices)
    ratio_association = forms.DecimalField(
        label=RATIO_LABELS["association"], required=False, max_digits=6, decimal_places=3
    )
    ratio_social_service = forms.DecimalField(
        label=RATIO_LABELS["social_service"], required=False, max_digits=6, decimal_places=3
    )
    ratio_foundation = forms.DecimalField(
        label=RATIO_LABELS["foundation"], required=False, max_digits=6, decimal_places=3
    )
    ratio_charity = forms.DecimalField(
        label=RATIO_LABELS["charity"], required=False, max_digits=6, decimal_places=3
    )
    by_district = forms.BooleanField(label=_("按县区分层抽取"), required=False)
    category = forms.ModelChoiceField(
        label=_("类别（不定期抽查）"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )
    topic = forms.CharField(label=_("专项主题（不定期抽查）"), max_length=200, required=False)
    scope = forms.CharField(
        label=_("检查内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    inspectors_per_check = forms.IntegerField(
        label=_("每个对象检查人员数"),
        min_value=1,
        max_value=9,
        required=False,
        help_text=_("实地检查至少2名；留空按政策默认"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year

    @staticmethod
    def initial_of(plan: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "title": plan.title,
            "year": plan.year,
            "kind": plan.kind,
            "method": plan.method,
            "by_district": plan.by_district,
            "category": plan.category_id,
            "topic": plan.topic,
            "scope": plan.scope,
            "inspectors_per_check": plan.inspectors_per_check,
        }
        for kind in STRATUM_KINDS:
            if kind in plan.ratios:
                values[f"ratio_{kind}"] = (Decimal(plan.ratios[kind]) * 100).normalize()
        return values

    def to_input(self) -> PlanInput:
        data = self.cleaned_data
        ratios = {
            kind: data[f"ratio_{kind}"] / 100
            for kind in STRATUM_KINDS
            if data.get(f"ratio_{kind}") is not None
        }
        return PlanInput(
            title=data["title"],
            year=data["year"],
            kind=data["kind"],
            method=data["method"],
            ratios=ratios,
            by_district=data["by_district"],
            category=data["category"],
            topic=data["topic"],
            scope=data["scope"],
            inspectors_per_check=data["inspectors_per_check"],
        )


class NoticeForm(ServiceErrorsOnFields, forms.Form):
    scope_notice = forms.CharField(
        label=_("检查告知内容"), widget=forms.Textarea(attrs={"rows": 3})
    )
    scheduled_on = forms.DateField(label=_("计划检查日期"), required=False, widget=DateInput())


class FindingForm(ServiceErrorsOnFields, forms.Form):
    type = forms.ChoiceField(label=_("问题类型"), choices=FindingType.choices)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("依据"), max_length=300, required=False)


class ConcludeForm(ServiceErrorsOnFields, forms.Form):
    checked_on = forms.DateField(label=_("检查日期"), widget=DateInput())
    conclusion = forms.ChoiceField(label=_("检查结论"), choices=Conclusion.choices)
    note = forms.CharField(
        label=_("结论说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class OrderForm(ServiceErrorsOnFields, forms.Form):
    requirement = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("整改期限"), widget=DateInput())
    finding = IdField(label=_("对应检查发现"), required=False)


class ReportForm(forms.Form):
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=DateInput())
    note = forms.CharField(
        label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class VerifyForm(forms.Form):
    verified_on = forms.DateField(label=_("核查日期"), required=False, widget=DateInput())


class ReplaceForm(ServiceErrorsOnFields, forms.Form):
    user_id = IdField(label=_("回避的检查人员"))
    reason = forms.CharField(label=_("回避事由"), max_length=300)


class InspectorForm(ServiceErrorsOnFields, forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    department = forms.CharField(label=_("所在单位/部门"), max_length=200, required=False)
    id_number = forms.CharField(
        label=_("身份证号（用于任职回避核对）"), max_length=18, required=False
    )


class InspectorEditForm(ServiceErrorsOnFields, forms.Form):
    department = forms.CharField(label=_("所在单位/部门"), max_length=200, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    is_active = forms.BooleanField(label=_("在岗"), required=False)


class ConflictForm(forms.Form):
    organization = IdField(label=_("组织编号"))
    reason = forms.CharField(label=_("回避事由"), max_length=300)
