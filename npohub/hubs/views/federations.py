"""Street federations (list, set-up, chair, unit members) and the streets' three lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from npohub.core.http import attempt
from npohub.orgs.selectors import organization_visible_to

from .. import forms, selectors, services
from ..models import STREET_LISTS, ListStatus
from ..permissions import (
    can_create_federations,
    can_keep_street_lists,
    can_manage_federation,
    can_view_hubs,
)
from .common import page_of, require_page, signed_in, submit


@login_required
@require_GET
def federation_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_view_hubs(user))
    prefix = selectors.list_prefix_for(user, request.GET.get("region", ""))
    # A federation belongs to a street: a community's page lists its street's (prefix[:9]).
    qs = selectors.federation_visible_to(user).filter(street_code__startswith=prefix[:9])
    page = page_of(request, qs)
    context = {
        "coverage": selectors.federation_coverage(prefix) if prefix else None,
        "page_obj": page,
        # The 三项清单 link only where the user may open the lists (the page's own check).
        "list_codes": {f.street_code for f in page if can_keep_street_lists(user, f.street_code)},
        "prefix": prefix,
        "may_create": bool(can_create_federations(user)),
    }
    return render(request, "hubs/federation_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def federation_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    require_page(can_create_federations(user))
    form = forms.FederationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = forms.find_organization(organization_visible_to(user), data["organization"])
        if org is None:
            form.add_error("organization", _("未找到该组织"))
        else:
            founding = services.FederationInput(
                established_on=data["established_on"],
                decision_number=data["decision_number"],
                chair_name=data["chair_name"],
                chair_title=data["chair_title"],
                chaired_by_street_head=data["chaired_by_street_head"],
            )
            fed = attempt(
                request,
                lambda: services.federation_create(
                    actor=user, street=data["street"], organization=org, data=founding
                ),
                form=form,
            )
            if fed is not None:
                messages.success(request, _("已成立“%(name)s”") % {"name": fed.name})
                return redirect("hubs:hub-detail", pk=fed.hub_id)
    return render(request, "hubs/form_page.html", {"form": form, "title": _("成立街道联合会")})


@login_required
@require_GET
def federation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    fed = selectors.federation_get_for(user, pk)
    chair = fed.chair
    context = {
        "fed": fed,
        "members": list(selectors.hub_members(fed.hub)[:500]),
        "external": list(fed.external_members.all()),
        "may_manage": bool(can_manage_federation(user, fed.street_code)),
        "may_keep_lists": bool(can_keep_street_lists(user, fed.street_code)),
        "chair_form": forms.ChairForm(
            initial={
                "chair_name": chair.name if chair else "",
                "chair_title": fed.chair_title,
                "chaired_by_street_head": fed.chaired_by_street_head,
            }
        ),
        "external_form": forms.ExternalMemberForm(initial={"joined_on": timezone.localdate()}),
        "today": timezone.localdate(),
    }
    return render(request, "hubs/federation_detail.html", context)


@login_required
@require_POST
def federation_chair(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    fed = selectors.federation_get_for(user, pk)
    submit(
        request,
        forms.ChairForm(request.POST),
        lambda d: services.federation_set_chair(actor=user, federation=fed, **d),
        done=_("已更新会长"),
        invalid=_("请填写会长姓名"),
    )
    return redirect("hubs:federation-detail", pk=fed.pk)


@login_required
@require_POST
def federation_external_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    fed = selectors.federation_get_for(user, pk)
    submit(
        request,
        forms.ExternalMemberForm(request.POST),
        lambda d: services.federation_external_member_add(actor=user, federation=fed, **d),
        done=_("已加入单位会员"),
        invalid=_("请填写单位名称、类型和加入日期"),
    )
    return redirect("hubs:federation-detail", pk=fed.pk)


@login_required
@require_POST
def federation_external_leave(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    member = selectors.external_member_get_for(user, pk)
    submit(
        request,
        forms.MemberLeaveForm(request.POST),
        lambda d: services.federation_external_member_leave(
            actor=user, member=member, left_on=d["left_on"]
        ),
        done=_("已登记退出"),
        invalid=_("请填写退出日期"),
    )
    return redirect("hubs:federation-detail", pk=member.federation_id)


# --- the street's three lists ------------------------------------------------------------------


@login_required
@require_GET
def street_lists(request: HttpRequest, code: str) -> HttpResponse:
    street = selectors.street_get_for(signed_in(request), code)
    lists = [
        (key, model._meta.verbose_name, list(selectors.street_list_items(key, street.code)[:100]))
        for key, model in STREET_LISTS.items()
    ]
    context = {
        "street": street,
        "lists": lists,
        "federation": selectors.street_federation(street),
        "form": forms.ListItemForm(),
        "statuses": ListStatus.choices,
    }
    return render(request, "hubs/street_lists.html", context)


@login_required
@require_POST
def street_list_add(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    user = signed_in(request)
    street = selectors.street_get_for(user, code)
    submit(
        request,
        forms.ListItemForm(request.POST),
        lambda d: services.street_list_item_create(actor=user, list_kind=kind, street=street, **d),
        done=_("已添加"),
        invalid=_("请填写标题"),
    )
    return redirect("hubs:street-lists", code=street.code)


@login_required
@require_POST
def street_list_status(request: HttpRequest, code: str, kind: str, item_pk: int) -> HttpResponse:
    user = signed_in(request)
    street = selectors.street_get_for(user, code)
    item = selectors.street_list_item_get(kind, street.code, item_pk)
    attempt(
        request,
        lambda: services.street_list_item_set_status(
            actor=user, item=item, status=request.POST.get("status", "")
        ),
        success=_("已更新状态"),
    )
    return redirect("hubs:street-lists", code=street.code)
