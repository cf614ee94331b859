"""/api/v1/public/enforcement/: the public complaint intake (throttled per client) and the
lookup of one complaint by its tracking number. No sign-in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from npohub.core.errors import NotFound, ValidationFailed
from npohub.core.http import client_ip
from npohub.enforcement.models import Complaint, ComplaintCategory
from npohub.enforcement.selectors import complaint_by_number
from npohub.enforcement.services import complaint_submit
from npohub.enforcement.workflows import complaint_state_label
from npohub.orgs.selectors import public_organization_get

from .schemas import ErrorOut, PublicComplaintIn, PublicComplaintOut

router = Router(auth=None, tags=["public"])

ERRORS: dict[int, Any] = dict.fromkeys((404, 422, 429), ErrorOut)


def public_view(c: Complaint) -> dict[str, Any]:
    return {
        "number": c.number,
        "state": c.state,
        "state_label": complaint_state_label(c.state),
        "category_label": str(ComplaintCategory(c.category).label),
        "organization": c.organization_label,
        "received_on": c.received_on,
        "reply_due_on": c.reply_due_on,
        "reply": c.reply,
        "replied_on": c.replied_on,
        "decision_note": c.decision_note,
        "transferred_to": c.transferred_to,
    }


@router.post(
    "/complaints",
    response={201: PublicComplaintOut, **ERRORS},
    operation_id="public_enforcement_complaints_create",
)
def complaint_create(request: HttpRequest, payload: PublicComplaintIn) -> Status[Any]:
    """Submit a complaint or report; keep the returned ``number`` to look up the reply.
    At most N per client address per window (429 when exceeded)."""
    org = None
    if payload.organization_id is not None:
        try:
            org = public_organization_get(payload.organization_id)
        except NotFound:
            raise ValidationFailed(
                _("组织不存在"), details={"organization_id": _("无效")}
            ) from None
    made = complaint_submit(
        actor=request.user,
        client_ip=client_ip(request),
        contact=payload.contact,
        category=payload.category,
        description=payload.description,
        complainant_name=payload.complainant_name,
        organization=org,
        organization_text=payload.organization_text,
    )
    return Status(201, public_view(made))


@router.get(
    "/complaints/{number}",
    response={200: PublicComplaintOut, **ERRORS},
    operation_id="public_enforcement_complaints_lookup",
)
def complaint_lookup(request: HttpRequest, number: str) -> dict[str, Any]:
    """The status and reply of one complaint, by its tracking number."""
    found = complaint_by_number(number)
    if found is None:
        raise NotFound(_("未找到该受理编号"))
    return public_view(found)
