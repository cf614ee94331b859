"""Pages of the monthly scorecard templates (月度评分表设置), mounted at /stars/templates/.

Every version of every locality's scorecard with its items and points; a new version (blank,
or copied from any version) with its items table; putting an earlier version back in force or
stopping one. Who: the rule of the API (``stars_templates_*``): everyone who works scores
(bureaus, street offices, hub staff) sees them; the bureau of a locality changes its scorecard,
the superuser the default one (``permissions.can_manage_templates``). Thin: fetch, validate,
one service, render.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.errors import DomainError
from npohub.regions.codes import pad
from npohub.regions.models import Level, Region

from . import selectors, services
from .forms import (
    ITEMS_PREFIX,
    TemplateForm,
    TemplateItemFormSet,
    items_formset_data,
    template_items,
)
from .models import ScorecardTemplate
from .navigation import sees_star_work
from .permissions import can_activate_template, can_manage_templates, can_retire_template

BLANK_ROWS = 3


def _staff_only(user: Any) -> None:
    if not sees_star_work(user):
        raise Http404(_("页面不存在"))


def _template_get(pk: Any) -> ScorecardTemplate:
    template = selectors.template_list().filter(pk=pk).first() if str(pk).isdigit() else None
    if template is None:
        raise Http404(_("评分表不存在"))
    return template


def _region_choices(user: Any) -> list[tuple[str, str]]:
    """The localities the user may set a scorecard for: a bureau its own region and the units
    below it down to the district (县级); the superuser the default (every locality) and the
    provinces and cities."""
    if user.is_superuser:
        regions = Region.objects.active().filter(level__lte=Level.CITY)
        choices = [("", _("全部地区（默认评分表）"))]
    else:
        prefix = getattr(user, "scope_prefix", "") or ""
        if not (prefix and can_manage_templates(user, prefix)):
            return []
        regions = Region.objects.active().within(prefix).filter(level__lte=Level.COUNTY)
        choices = []
    choices += [(r.prefix, f"{r.name}（{r.prefix}）") for r in regions.order_by("code")]
    return choices


def _region_names(codes: set[str]) -> dict[str, str]:
    padded = {pad(code): code for code in codes if code}
    found = Region.objects.filter(code__in=padded).order_by("-is_active", "-id")
    names = {"": _("全部地区（默认）")}
    for region in found:
        names.setdefault(padded[region.code], region.name)
    return names


def _points_total(formset: Any) -> Decimal:
    total = Decimal("0")
    for form in formset.forms:
        value = form["max_points"].value()
        if form["DELETE"].value() or not value:
            continue
        try:
            total += Decimal(str(value))
        except (InvalidOperation, ValueError):
            continue
    return total


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    """The versions of every locality's scorecard, the one in force first."""
    _staff_only(request.user)
    templates = sorted(
        selectors.template_list(), key=lambda t: (t.region_code, not t.is_active, -t.pk)
    )
    names = _region_names({t.region_code for t in templates})
    may_create = bool(_region_choices(request.user))
    rows = []
    for template in templates:
        items = list(template.items.all())
        rows.append(
            {
                "template": template,
                "items": items,
                "total": sum((i.max_points for i in items), Decimal("0")),
                "region_name": names.get(template.region_code, template.region_code),
                "may_activate": bool(can_activate_template(request.user, template)),
                "may_retire": bool(can_retire_template(request.user, template)),
            }
        )
    context = {"rows": rows, "may_create": may_create}
    return render(request, "stars/template_list.html", context)


def _show_refusal(form: Any, exc: DomainError, items: list[Any]) -> Any:
    """Put the service's refusal on the page: every bad row by its number, the rows shown
    in the order they were sent (so 第N项 is the Nth row of the table)."""
    formset = TemplateItemFormSet(items_formset_data(items), prefix=ITEMS_PREFIX)
    formset.is_valid()
    details = exc.details if isinstance(exc.details, dict) else {}
    row_errors = [(key.split("."), str(text)) for key, text in details.items()]
    row_errors = [(parts, text) for parts, text in row_errors if len(parts) == 3]
    if not row_errors:
        form.add_error(None, exc.message)
        return formset
    for (_items, row, field), text in row_errors:
        form.add_error(None, text)
        index = int(row) - 1
        if 0 <= index < len(formset.forms):
            target = formset.forms[index]
            target.add_error(field if field in target.fields and field != "code" else None, text)
    return formset


def _form_errors_by_row(form: Any, formset: Any) -> None:
    for index, row in enumerate(formset.forms, start=1):
        for field, errors in row.errors.items():
            label = row.fields[field].label if field in row.fields else ""
            for error in errors:
                text = f"{label}：{error}" if label else error
                form.add_error(None, _("第%(row)d项：%(error)s") % {"row": index, "error": text})
    for error in formset.non_form_errors():
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    """A new version of a locality's scorecard; ``?from=<id>`` starts from a copy of one."""
    _staff_only(request.user)
    choices = _region_choices(request.user)
    if not choices:
        raise Http404(_("页面不存在"))
    source = _template_get(request.GET["from"]) if request.GET.get("from") else None
    allowed = {code for code, _label in choices}
    if request.method == "POST" and "add_row" in request.POST:
        data = request.POST.copy()
        count = int(data.get(f"{ITEMS_PREFIX}-TOTAL_FORMS") or 0)
        data[f"{ITEMS_PREFIX}-TOTAL_FORMS"] = str(min(count + 1, 40))
        form = TemplateForm(
            initial={"name": data.get("name", ""), "region_code": data.get("region_code", "")},
            region_choices=choices,
        )
        formset = TemplateItemFormSet(data, prefix=ITEMS_PREFIX)
    elif request.method == "POST":
        form = TemplateForm(request.POST, region_choices=choices)
        formset = TemplateItemFormSet(request.POST, prefix=ITEMS_PREFIX)
        if form.is_valid() and formset.is_valid():
            items = template_items(formset)
            try:
                template = services.scorecard_template_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    region_code=form.cleaned_data["region_code"],
                    items=items,
                )
            except DomainError as exc:
                formset = _show_refusal(form, exc, items) if items else formset
                if not items:
                    form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("评分表“%(name)s”已保存并生效") % {"name": template.name}
                )
                return redirect("stars:template-list")
        elif not formset.is_valid():
            _form_errors_by_row(form, formset)
    else:
        region = source.region_code if source else getattr(request.user, "scope_prefix", "")
        initial = {
            "name": source.name if source else "",
            "region_code": region if region in allowed else choices[0][0],
        }
        form = TemplateForm(initial=initial, region_choices=choices)
        items = list(source.items.all()) if source else []
        data = items_formset_data(items)
        data[f"{ITEMS_PREFIX}-TOTAL_FORMS"] = str(len(items) + (1 if items else BLANK_ROWS))
        formset = TemplateItemFormSet(data, prefix=ITEMS_PREFIX)
    context = {
        "form": form,
        "formset": formset,
        "source": source,
        "total": _points_total(formset),
    }
    return render(request, "stars/template_form.html", context)


@login_required
@require_POST
def template_activate(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request.user)
    template = _template_get(pk)
    try:
        services.scorecard_template_activate(actor=request.user, template=template)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("评分表“%(name)s”已启用") % {"name": template.name})
    return redirect("stars:template-list")


@login_required
@require_POST
def template_retire(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request.user)
    template = _template_get(pk)
    try:
        services.scorecard_template_retire(actor=request.user, template=template)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("评分表“%(name)s”已停用") % {"name": template.name})
    return redirect("stars:template-list")
