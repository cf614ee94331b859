"""The organisation record's print page (A4, ``print_base.html``): fetched and masked exactly as
its staff page (``organization_get_for`` and ``organization_view``)."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from npohub.accounts.models import User
from npohub.core.printing import authority_name, print_context

from .history_display import funds_label
from .permissions import organization_view
from .selectors import organization_get_for


@login_required
@require_GET
def organization_print(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    org = organization_get_for(user, pk)
    view = organization_view(user, org)
    region = org.authority_region
    context = print_context(
        authority=authority_name(region.name if region else ""),
        back_url=reverse("orgs:organization-detail", args=[org.pk]),
        org=org,
        show_personal=view.sees_personal_data,
        funds_label=funds_label(org.kind),
        officers=list(org.officers.select_related("person")),
    )
    return render(request, "orgs/organization_print.html", context)
