"""HTML forms of the credit pages: cleaning and widgets only."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput
from npohub.core.params import BoundedDecimalField
from npohub.orgs.models import Kind
from npohub.regions.codes import prefix_of
from npohub.regions.forms import RegionCascadeField
from npohub.regions.models import Region

from .models import ContactMethod, CreditList, CreditRule, FactKind, RequestKind
from .selectors import ListingFilters

DATE = DateInput()


class ListingFilterForm(forms.Form):
    credit_list = forms.ChoiceField(
        label=_("名单"), required=False, choices=[("", _("全部"))] + CreditList.choices
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("current", _("在列")), ("removed", _("已移出")), ("all", _("全部"))],
    )
    # A select per level from the user's scope down (names, never typed codes).
    region = RegionCascadeField(label=_("所在区划"))
    kind = forms.ChoiceField(
        label=_("组织类型"), required=False, choices=[("", _("全部"))] + Kind.choices
    )
    rule = forms.ChoiceField(label=_("列入规则"), required=False)
    listed_from = forms.DateField(label=_("列入日期自"), required=False, widget=DATE)
    listed_until = forms.DateField(label=_("至"), required=False, widget=DATE)
    q = forms.CharField(label=_("名称/信用代码"), required=False, max_length=100)

    def __init__(self, *args: object, region_root: Region | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(RegionCascadeField, self.fields["region"]).root = region_root
        cast(forms.ChoiceField, self.fields["rule"]).choices = [("", _("全部"))] + [
            (r.code, r.name) for r in CreditRule.objects.order_by("credit_list", "sort_order")
        ]

    def to_filters(self) -> ListingFilters:
        """The valid filters; an invalid one (shown as an error) is left out, not the rest."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ListingFilters(
            credit_list=data.get("credit_list") or "",
            region_prefix=prefix_of(data["region"]) if data.get("region") else "",
            kind=data.get("kind") or "",
            rule=data.get("rule") or "",
            listed_from=data.get("listed_from"),
            listed_until=data.get("listed_until"),
            search=data.get("q") or "",
            state=data.get("state") or "current",
        )


class FactForm(forms.Form):
    kind = forms.ChoiceField(label=_("信息类型"), choices=FactKind.choices)
    arose_on = forms.DateField(label=_("产生日期"), widget=DATE)
    reference = forms.CharField(label=_("文书编号"), max_length=80)
    summary = forms.CharField(
        label=_("摘要"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(label=_("法律依据"), max_length=300, required=False)
    amount = BoundedDecimalField(
        label=_("金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )


class CreditRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请类型"), choices=RequestKind.choices)
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 5}))


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("处理理由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RuleForm(forms.Form):
    is_active = forms.BooleanField(label=_("启用"), required=False)
    amount_below = BoundedDecimalField(
        label=_("金额低于（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    amount_at_least = BoundedDecimalField(
        label=_("金额不低于（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    min_count = forms.IntegerField(label=_("次数不少于"), required=False)
    window_years = forms.IntegerField(label=_("统计年限"), required=False)

    def parameters(self) -> dict[str, object]:
        keys = ("amount_below", "amount_at_least", "min_count", "window_years")
        out: dict[str, object] = {}
        for key in keys:
            value = self.cleaned_data.get(key)
            if value is not None:
                out[key] = int(value) if float(value).is_integer() else float(value)
        return out


class BarredPersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    reason = forms.CharField(label=_("事由"), max_length=500)
    legal_basis = forms.CharField(label=_("法律依据"), max_length=300, required=False)
    barred_from = forms.DateField(label=_("限制起始日"), widget=DATE)
    barred_until = forms.DateField(label=_("限制截止日"), required=False, widget=DATE)


class ContactForm(forms.Form):
    method = forms.ChoiceField(label=_("方式"), choices=ContactMethod.choices)
    sent_on = forms.DateField(label=_("发出/联系日期"), widget=DATE)
    signed = forms.BooleanField(label=_("已签收/已联系上"), required=False)
    returned_on = forms.DateField(label=_("退回日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class EvaluateForm(forms.Form):
    on = forms.DateField(label=_("评估日期"), widget=DATE)
