"""HTML input for the hubs pages (validation of shape only; rules live in the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput
from npohub.core.forms import apply_service_errors as apply_service_errors
from npohub.core.params import IdField
from npohub.orgs.models import Category, Organization
from npohub.regions.models import Level, Region

from .models import (
    AREA_SQM_MAX,
    HEADCOUNT_MAX,
    EscalationState,
    ExternalMemberKind,
    HubKind,
    HubStatus,
    MemberRole,
    PlatformLevel,
    PlatformOffering,
    ReviewOpinion,
)

DATE = DateInput()


def find_organization(visible: Any, ref: str) -> Organization | None:
    """An organisation the user may see, by USCC or by registry number (id)."""
    ref = ref.strip().upper()
    if not ref:
        return None
    if ref.isdigit() and len(ref) < 18:
        return visible.filter(pk=int(ref)).first()  # type: ignore[no-any-return]
    return visible.filter(uscc=ref).first()  # type: ignore[no-any-return]


class HubFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部")), *HubKind.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *HubStatus.choices]
    )
    q = forms.CharField(label=_("名称"), required=False, max_length=100)


class RecognitionForm(forms.Form):
    organization = forms.CharField(
        label=_("组织"), max_length=18, help_text=_("统一社会信用代码或名录编号")
    )
    kind = forms.ChoiceField(label=_("枢纽类型"), choices=HubKind.choices)
    region = forms.CharField(
        label=_("覆盖区域代码"), required=False, max_length=12, help_text=_("如 370102（历下区）")
    )
    category = forms.ModelChoiceField(
        label=_("覆盖领域"), required=False, queryset=Category.objects.filter(is_active=True)
    )
    scope_note = forms.CharField(label=_("范围说明"), required=False, max_length=300)
    decision_number = forms.CharField(label=_("认定文号"), max_length=100)
    decision_date = forms.DateField(label=_("认定日期"), widget=DATE)
    decision_text = forms.CharField(label=_("认定决定"), required=False, widget=forms.Textarea)
    valid_from = forms.DateField(label=_("有效期起"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DATE)

    def clean_region(self) -> Region | None:
        code = self.cleaned_data["region"].strip()
        if not code:
            return None
        region = Region.objects.active().filter(code=code.ljust(12, "0")).first()
        if region is None:
            raise forms.ValidationError(_("未找到该区划"))
        return region


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), widget=forms.Textarea(attrs={"rows": 2}))


class MemberAddForm(forms.Form):
    organization = forms.CharField(
        label=_("组织"), max_length=18, help_text=_("统一社会信用代码或名录编号")
    )
    role = forms.ChoiceField(label=_("成员角色"), choices=MemberRole.choices)
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE, initial=timezone.localdate)
    agreement_signed_on = forms.DateField(label=_("监管协议签订日期"), required=False, widget=DATE)
    agreement_terms = forms.CharField(
        label=_("监管协议条款"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MemberLeaveForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DATE)
    reason = forms.CharField(label=_("退出原因"), required=False, max_length=300)


class StaffForm(forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150)


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}))


class EscalationForm(forms.Form):
    organization = IdField(label=_("涉及组织"))
    title = forms.CharField(label=_("问题"), max_length=200)
    description = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3}))


class EscalationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *EscalationState.choices]
    )


class AssignForm(forms.Form):
    assignee = forms.CharField(label=_("承办人账号"), max_length=150)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}))


class FederationForm(forms.Form):
    street = forms.CharField(label=_("街道/乡镇代码"), max_length=12)
    organization = forms.CharField(
        label=_("联合会组织"), max_length=18, help_text=_("统一社会信用代码或名录编号")
    )
    decision_number = forms.CharField(label=_("认定（批复）文号"), max_length=100)
    established_on = forms.DateField(label=_("成立日期"), widget=DATE)
    chair_name = forms.CharField(label=_("会长姓名"), required=False, max_length=50)
    chair_title = forms.CharField(label=_("会长职务"), required=False, max_length=100)
    chaired_by_street_head = forms.BooleanField(
        label=_("由街道（乡镇）负责人任会长"), required=False
    )

    def clean_street(self) -> Region:
        code = self.cleaned_data["street"].strip().ljust(12, "0")
        street = Region.objects.active().filter(code=code, level=Level.TOWNSHIP).first()
        if street is None:
            raise forms.ValidationError(_("未找到该街道或乡镇"))
        return street


class PairingForm(forms.Form):
    senior = forms.CharField(
        label=_("市、区县管社会组织"), max_length=18, help_text=_("统一社会信用代码或名录编号")
    )
    community_group = IdField(label=_("社区社会组织（名录编号）"))
    topic = forms.CharField(label=_("共建内容"), max_length=300)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)


class ListItemForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    category = forms.CharField(label=_("类别"), required=False, max_length=50)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreementForm(forms.Form):
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    terms = forms.CharField(label=_("协议条款"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    subject = forms.ChoiceField(label=_("初审事项"), choices=())
    subject_id = forms.CharField(label=_("材料编号"), max_length=64)
    opinion = forms.ChoiceField(label=_("初审意见"), choices=ReviewOpinion.choices)
    score = forms.DecimalField(
        label=_("评分"), required=False, max_digits=6, decimal_places=2, help_text=_("可选")
    )
    comment = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subjects  # type: ignore[attr-defined]


class PlatformForm(forms.Form):
    name = forms.CharField(label=_("平台名称"), max_length=200)
    level = forms.ChoiceField(label=_("层级"), choices=PlatformLevel.choices)
    region = forms.CharField(label=_("所在区划代码"), max_length=12)
    operator = IdField(label=_("运营枢纽编号"))
    opened_on = forms.DateField(label=_("启用日期"), widget=DATE)
    offerings = forms.MultipleChoiceField(
        label=_("服务内容"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    address = forms.CharField(label=_("地址"), required=False, max_length=300)
    area_sqm = forms.IntegerField(
        label=_("面积（平方米）"), required=False, min_value=0, max_value=AREA_SQM_MAX
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offerings"].choices = list(  # type: ignore[attr-defined]
            PlatformOffering.objects.values_list("code", "name")
        )

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"].strip()
        region = Region.objects.active().filter(code=code.ljust(12, "0")).first()
        if region is None:
            raise forms.ValidationError(_("未找到该区划"))
        return region


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("参观日期"), widget=DATE)
    visitor = forms.CharField(label=_("来访单位"), max_length=200)
    headcount = forms.IntegerField(label=_("人数"), min_value=1, max_value=HEADCOUNT_MAX, initial=1)
    purpose = forms.CharField(label=_("目的"), required=False, max_length=300)


class HonourForm(forms.Form):
    title = forms.CharField(label=_("荣誉名称"), max_length=200)
    awarded_by = forms.CharField(label=_("授予单位"), max_length=200)
    awarded_on = forms.DateField(label=_("授予日期"), widget=DATE)


class ChairForm(forms.Form):
    chair_name = forms.CharField(label=_("会长姓名"), max_length=50)
    chair_title = forms.CharField(label=_("会长职务"), required=False, max_length=100)
    chaired_by_street_head = forms.BooleanField(
        label=_("由街道（乡镇）负责人任会长"), required=False
    )


class ExternalMemberForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    kind = forms.ChoiceField(label=_("单位类型"), choices=ExternalMemberKind.choices)
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE)
    credit_code = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=18)
    contact = forms.CharField(label=_("联系人"), required=False, max_length=100)
