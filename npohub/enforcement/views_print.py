"""Print pages of penalty cases (A4, ``print_base.html``): the decision (行政处罚决定书) once made,
the prior notice (事先告知书) before it, the case sheet before either. Fetched and masked exactly
as the case's page (``case_get_for`` and ``case_view``)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from npohub.accounts.models import User
from npohub.core.printing import authority_name, print_context

from .permissions import case_view
from .selectors import case_get_for
from .workflows import LEGAL_BASES, PENALTY_TYPES, case_state_label


@login_required
@require_GET
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    case = case_get_for(user, pk)
    view = case_view(user, case)
    sanctions: list[Any] = list(case.sanctions.all())
    for s in sanctions:
        s.label = PENALTY_TYPES[s.kind].label if s.kind in PENALTY_TYPES else s.kind
        s.id_number_shown = view.person_id_number(s)
    if case.decided_on:
        title = _("行政处罚决定书")
    elif case.notified_on:
        title = _("行政处罚事先告知书")
    else:
        title = _("行政处罚案件信息表")
    region = case.organization.authority_region
    context = print_context(
        authority=authority_name(region.name if region else ""),
        back_url=reverse("enforcement:case-detail", args=[case.pk]),
        case=case,
        title=title,
        state_text=case_state_label(case.state),
        basis=LEGAL_BASES.get(case.basis_key),
        sanctions=sanctions,
        fine=case.fine_total(),
    )
    return render(request, "enforcement/case_print.html", context)
