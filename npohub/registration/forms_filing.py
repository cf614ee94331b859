"""HTML input for major-activity reports and filing delegations.

Forms only shape input (types, dates, which choices exist); the services decide what is valid
and their messages are shown beside the fields (``apply_service_errors``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npohub.core.forms import DateInput
from npohub.core.forms import apply_service_errors as apply_service_errors
from npohub.orgs.models import Organization
from npohub.regions.models import Region
from npohub.registration.models import PARTICIPANTS_MAX

DATE_INPUT = DateInput()
DATE_MESSAGES = {"invalid": _("日期格式应为 年-月-日，如 2025-05-01")}


def _shown_required(field: forms.Field) -> forms.Field:
    """Marked with * on the page; the service (not the form) says what is missing."""
    field.show_required = True  # type: ignore[attr-defined]
    return field


class ActivityReportForm(forms.Form):
    """A filed group's report of a major activity (重大活动报告)."""

    organization = forms.ChoiceField(
        label=_("报告组织"),
        error_messages={"invalid_choice": _("请选择本组织（或本社区）的备案社区社会组织")},
    )
    title = _shown_required(forms.CharField(label=_("活动名称"), max_length=200, required=False))
    starts_on = forms.DateField(
        label=_("活动日期"),
        widget=DATE_INPUT,
        error_messages={"required": _("请填写活动日期"), **DATE_MESSAGES},
    )
    location = _shown_required(forms.CharField(label=_("活动地点"), max_length=200, required=False))
    participants = forms.IntegerField(
        label=_("预计人数"),
        max_value=PARTICIPANTS_MAX,
        help_text=_("预计参加活动的总人数"),
        error_messages={"required": _("请填写预计人数"), "invalid": _("预计人数应为整数")},
    )
    description = _shown_required(
        forms.CharField(
            label=_("活动内容"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=_("活动安排、组织方式、安全措施等"),
        )
    )

    def __init__(self, *args: Any, groups: Iterable[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [(str(org.pk), org.name) for org in groups]
        field = self.fields["organization"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = ([("", _("请选择组织"))] if len(choices) != 1 else []) + choices


class ActivityActionForm(forms.Form):
    """The federation's 知悉 / 提出疑问, or the group's 说明 (the button pressed names it)."""

    action = forms.CharField(max_length=20, required=False)
    text = forms.CharField(
        label=_("意见或说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def detail_field(self, key: str) -> str:
        """Only the text is shown at its field; a refused action (a button) goes on top."""
        return key if key == "text" else ""


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args: Any, states: Iterable[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["state"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("全部状态")), *states]


class DelegationForm(forms.Form):
    """A street office delegates filing decisions to a federation located in the street."""

    street = forms.ChoiceField(
        label=_("街道/乡镇"), error_messages={"invalid_choice": _("请选择您辖区内的街道或乡镇")}
    )
    federation = forms.ChoiceField(
        label=_("受托联合会"),
        help_text=_("须是住所在该街道内、状态正常的组织（通常为街道社会组织联合会）"),
        error_messages={"invalid_choice": _("请选择住所在该街道内的组织")},
    )
    valid_from = forms.DateField(
        label=_("生效日期"),
        widget=DATE_INPUT,
        error_messages={"required": _("请填写生效日期"), **DATE_MESSAGES},
    )
    valid_until = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("委托在该日之后失效；不填为长期有效"),
        error_messages=DATE_MESSAGES,
    )

    def __init__(
        self,
        *args: Any,
        streets: Iterable[Region],
        federations: Iterable[Organization],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        street_field = self.fields["street"]
        federation_field = self.fields["federation"]
        assert isinstance(street_field, forms.ChoiceField)
        assert isinstance(federation_field, forms.ChoiceField)
        street_choices: list[tuple[str, Any]] = [(s.code, s.name) for s in streets]
        street_field.choices = (
            [] if len(street_choices) == 1 else [("", _("请选择街道"))]
        ) + street_choices
        federation_field.choices = [
            ("", _("请选择组织")),
            *((str(org.pk), org.name) for org in federations),
        ]


class DelegationEndForm(forms.Form):
    valid_until = forms.DateField(
        label=_("最后有效日期"),
        widget=DATE_INPUT,
        error_messages={"required": _("请填写委托截止日期"), **DATE_MESSAGES},
    )
