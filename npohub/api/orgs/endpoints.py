"""/api/v1/organizations/: the registry for staff clients. Thin: scoped fetch, one service, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, fields
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.accounts.models import User
from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.orgs.history_display import end_of_day
from npohub.orgs.models import FieldChange, Organization
from npohub.orgs.permissions import OrganizationView, can_list_organizations, organization_view
from npohub.orgs.selectors import (
    OrganizationFilters,
    organization_as_of,
    organization_get_for,
    organization_history,
    organization_list_for,
)
from npohub.orgs.services import (
    organization_change_status,
    organization_create,
    organization_update,
)
from npohub.orgs.validation import OrganizationInput, organization_input_of
from npohub.regions.codes import is_valid, prefix_of

from ..errors import ERROR_CODES
from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import (
    AsOfOut,
    ErrorOut,
    FieldChangeOut,
    OrganizationDetailOut,
    OrganizationFilterIn,
    OrganizationIn,
    OrganizationListOut,
    OrganizationPatchIn,
    StatusChangeIn,
)

router = Router(tags=["organizations"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)
_INPUT_FIELDS = [f.name for f in fields(OrganizationInput)]


def region_prefix(code: str) -> str:
    """A region code (2–12 digits) → the prefix every region filter uses; 422 when malformed."""
    code = code.strip()
    if not code:
        return ""
    if not is_valid(code):
        raise ValidationFailed(
            str(ERROR_CODES["validation_failed"]), details={"region": _("区划代码无效")}
        )
    return prefix_of(code)


def detail_of(user: User, org: Organization) -> dict[str, Any]:
    """The detail shape; ID numbers and phones masked as ``organization_view`` says (the same
    view the staff page renders from)."""
    view = organization_view(user, org)
    person = org.legal_representative
    return {
        **{f: getattr(org, f) for f in OrganizationDetailOut.model_fields if hasattr(org, f)},
        "kind_label": org.get_kind_display(),
        "status_label": org.get_status_display(),
        "authority_region_code": org.authority_region.code if org.authority_region else None,
        "community_code": org.community.code if org.community else None,
        "legal_representative": None
        if person is None
        else {
            "name": person.name,
            "id_number": view.id_number(person.id_number),
            "phone": view.phone(person.phone),
        },
        "phone": view.phone(org.phone),
        "personal_data_masked": not view.sees_personal_data,
    }


def change_of(change: FieldChange, view: OrganizationView) -> FieldChange:
    """One recorded change as ``FieldChangeOut`` reads it, personal data masked as the record
    view says (on this in-memory row only; nothing is saved)."""
    change.old_value = view.recorded(change.field, change.old_value)
    change.new_value = view.recorded(change.field, change.new_value)
    return change


@router.get(
    "/", response={200: Page[OrganizationListOut], **ERRORS}, operation_id="organizations_list"
)
def organization_list(
    request: HttpRequest, filters: Query[OrganizationFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Organisations in the caller's scope, filtered and paginated."""
    user = api_user(request)
    require(can_list_organizations(user))
    qs = organization_list_for(
        user,
        OrganizationFilters(
            region_prefix=region_prefix(filters.region),
            kind=filters.kind,
            category=filters.category,
            status=filters.status,
            management_level=filters.level,
            registered_year=filters.year,
            search=filters.q,
            order=filters.order,
        ),
    )
    return paginate(request, qs, page)


@router.post(
    "/", response={201: OrganizationDetailOut, **ERRORS}, operation_id="organizations_create"
)
def organization_create_endpoint(request: HttpRequest, payload: OrganizationIn) -> Any:
    """Register an organisation (or file a community group) in the caller's region."""
    user = api_user(request)
    org = organization_create(actor=user, data=OrganizationInput(**payload.dict()))
    return Status(201, detail_of(user, organization_get_for(user, org.pk)))


@router.get(
    "/{int:org_id}",
    response={200: OrganizationDetailOut, **ERRORS},
    operation_id="organizations_detail",
)
def organization_detail(request: HttpRequest, org_id: int) -> dict[str, Any]:
    """One organisation; 404 for a missing id and for one outside the caller's scope alike."""
    user = api_user(request)
    return detail_of(user, organization_get_for(user, org_id))


@router.put(
    "/{int:org_id}",
    response={200: OrganizationDetailOut, **ERRORS},
    operation_id="organizations_replace",
)
def organization_replace(request: HttpRequest, org_id: int, payload: OrganizationIn) -> Any:
    """Replace the whole record (every field not sent is cleared)."""
    user = api_user(request)
    org = organization_get_for(user, org_id)
    organization_update(actor=user, org=org, data=OrganizationInput(**payload.dict()))
    return detail_of(user, organization_get_for(user, org_id))


@router.patch(
    "/{int:org_id}",
    response={200: OrganizationDetailOut, **ERRORS},
    operation_id="organizations_patch",
)
def organization_patch(request: HttpRequest, org_id: int, payload: OrganizationPatchIn) -> Any:
    """Change the fields sent; the others keep their current values."""
    user = api_user(request)
    org = organization_get_for(user, org_id)
    values = {**asdict(organization_input_of(org)), **payload.dict(exclude_unset=True)}
    data = OrganizationInput(**{k: v for k, v in values.items() if k in _INPUT_FIELDS})
    organization_update(actor=user, org=org, data=data)
    return detail_of(user, organization_get_for(user, org_id))


@router.post(
    "/{int:org_id}/status",
    response={200: OrganizationDetailOut, **ERRORS},
    operation_id="organizations_change_status",
)
def organization_status(request: HttpRequest, org_id: int, payload: StatusChangeIn) -> Any:
    """Move the organisation along the status lifecycle; an illegal move is a 409."""
    user = api_user(request)
    org = organization_get_for(user, org_id)
    organization_change_status(
        actor=user,
        org=org,
        status=payload.status,
        reason=payload.reason,
        effective_on=payload.effective_on,
    )
    return detail_of(user, organization_get_for(user, org_id))


@router.get(
    "/{int:org_id}/history",
    response={200: Page[FieldChangeOut], **ERRORS},
    operation_id="organizations_history",
)
def organization_history_list(
    request: HttpRequest, org_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    """Field-level changes, newest first (phones and ID numbers masked as on the page)."""
    user = api_user(request)
    org = organization_get_for(user, org_id)
    view = organization_view(user, org)
    return paginate(
        request, organization_history(org), page, render=lambda change: change_of(change, view)
    )


@router.get(
    "/{int:org_id}/as-of", response={200: AsOfOut, **ERRORS}, operation_id="organizations_as_of"
)
def organization_as_of_date(request: HttpRequest, org_id: int, date: dt.date) -> dict[str, Any]:
    """The recorded fields as they stood at the end of ``date`` (local time); phones and ID
    numbers masked as on the page."""
    user = api_user(request)
    org = organization_get_for(user, org_id)
    view = organization_view(user, org)
    values = organization_as_of(org, end_of_day(date))
    if values is not None:
        values = {field: view.recorded(field, value) for field, value in values.items()}
    return {"date": date, "existed": values is not None, "values": values}
