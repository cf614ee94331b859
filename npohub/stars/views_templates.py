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
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.accounts.models import User
from npohub.core.http import attempt
from npohub.orgs.scope import scope_of
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
from .permissions import (
    can_activate_template,
    can_manage_templates,
    can_retire_template,
    sees_star_work,
)

BLANK_ROWS = 3


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _staff_only(user: User) -> None:
    if not sees_star_work(user):
        raise Http404(_("页面不存在"))


def _region_choices(user: User) -> list[tuple[str, str]]:
    """The localities the user may set a scorecard for: a bureau its own region and the units
    below it down to the district (县级); the superuser the default (every locality) and the
    provinces and cities."""
    scope = scope_of(user)
    if scope.everything:
        regions = Region.objects.active().filter(level__lte=Level.CITY)
        choices = [("", _("全部地区（默认评分表）"))]
    else:
        prefix = scope.prefix
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
    user = _me(request)
    _staff_only(user)
    templates = sorted(
        selectors.template_list(), key=lambda t: (t.region_code, not t.is_active, -t.pk)
    )
    names = _region_names({t.region_code for t in templates})
    may_create = bool(_region_choices(user))
    rows = []
    for template in templates:
        items = list(template.items.all())
        rows.append(
            {
                "template": template,
                "items": items,
                "total": sum((i.max_points for i in items), Decimal("0")),
                "region_name": names.get(template.region_code, template.region_code),
                "may_activate": bool(can_activate_template(user, template)),
                "may_retire": bool(can_retire_template(user, template)),
            }
        )
    context = {"rows": rows, "may_create": may_create}
    return render(request, "stars/template_list.html", context)


def _marked_rows(items: list[services.ItemInput], errors: dict[str, str]) -> Any:
    """The refused table again, each bad row marked beside its field, the rows in the order
    they were sent (so 第N项 is the Nth row of the table); the refusal itself is on top."""
    formset = TemplateItemFormSet(items_formset_data(items), prefix=ITEMS_PREFIX)
    formset.is_valid()
    for key, text in errors.items():
        parts = key.split(".")
        if len(parts) != 3:
            continue
        _items, row, field = parts
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
    user = _me(request)
    _staff_only(user)
    choices = _region_choices(user)
    if not choices:
        raise Http404(_("页面不存在"))
    source = selectors.template_get(request.GET["from"]) if request.GET.get("from") else None
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
            template = attempt(
                request,
                lambda: services.scorecard_template_create(
                    actor=user,
                    name=form.cleaned_data["name"],
                    region_code=form.cleaned_data["region_code"],
                    items=items,
                ),
                form=form,
            )
            if template is not None:
                messages.success(
                    request, _("评分表“%(name)s”已保存并生效") % {"name": template.name}
                )
                return redirect("stars:template-list")
            if items:
                formset = _marked_rows(items, services.template_item_errors(items))
        elif not formset.is_valid():
            _form_errors_by_row(form, formset)
    else:
        region = source.region_code if source else scope_of(user).prefix
        initial = {
            "name": source.name if source else "",
            "region_code": region if region in allowed else choices[0][0],
        }
        form = TemplateForm(initial=initial, region_choices=choices)
        items = list(source.items.all()) if source else []
        rows = items_formset_data(items)
        rows[f"{ITEMS_PREFIX}-TOTAL_FORMS"] = str(len(items) + (1 if items else BLANK_ROWS))
        formset = TemplateItemFormSet(rows, prefix=ITEMS_PREFIX)
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
    user = _me(request)
    _staff_only(user)
    template = selectors.template_get(pk)
    attempt(
        request,
        lambda: services.scorecard_template_activate(actor=user, template=template),
        success=_("评分表“%(name)s”已启用") % {"name": template.name},
    )
    return redirect("stars:template-list")


@login_required
@require_POST
def template_retire(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    _staff_only(user)
    template = selectors.template_get(pk)
    attempt(
        request,
        lambda: services.scorecard_template_retire(actor=user, template=template),
        success=_("评分表“%(name)s”已停用") % {"name": template.name},
    )
    return redirect("stars:template-list")
