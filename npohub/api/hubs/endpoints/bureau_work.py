"""What hubs do for the bureau: notices (and the members' inbox), escalations, first-line
reviews."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from npohub.core.errors import ValidationFailed
from npohub.core.permissions import require
from npohub.hubs import registry, selectors, services
from npohub.hubs.models import (
    Escalation,
    FirstLineReview,
    NoticeReceipt,
)
from npohub.hubs.permissions import can_see_part, hub_view

from ...history import history_out
from ...pagination import Page, PageParams, paginate
from ...request import api_user
from ..schemas import (
    EscalationDetailOut,
    EscalationIn,
    EscalationOut,
    HubAssignIn,
    HubReviewIn,
    HubReviewOut,
    NoticeIn,
    NoticeOut,
    ReceiptOut,
    ResolveIn,
    ReviewSubjectOut,
)
from .common import ERRORS, org_for, ref, router, viewer


def notice_out(notice: Any) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "hub_id": notice.hub_id,
        "title": notice.title,
        "body": notice.body,
        "created_at": notice.created_at,
        "receipt_count": getattr(notice, "receipt_count", 0),
        "read_count": getattr(notice, "read_count", 0),
    }


@router.get(
    "/hubs/{int:hub_id}/notices",
    response={200: Page[NoticeOut], **ERRORS},
    operation_id="hubs_notices_list",
)
def notice_list(request: HttpRequest, hub_id: int, page: Query[PageParams]) -> Any:
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    require(can_see_part(hub_view(user, hub).sees_notices))
    return paginate(request, selectors.hub_notices(hub), page, render=notice_out)


@router.post(
    "/hubs/{int:hub_id}/notices",
    response={201: NoticeOut, **ERRORS},
    operation_id="hubs_notices_send",
)
def notice_send(request: HttpRequest, hub_id: int, payload: NoticeIn) -> Any:
    """Send a notice to every current member, on behalf of the bureau (hub staff only)."""
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    notice = services.hub_notice_send(actor=user, hub=hub, title=payload.title, body=payload.body)
    return Status(201, notice_out(selectors.hub_notices(hub).get(pk=notice.pk)))


def receipt_out(receipt: NoticeReceipt) -> dict[str, Any]:
    notice = receipt.notice
    return {
        "id": receipt.pk,
        "notice_id": notice.pk,
        "hub_name": notice.hub.name,
        "title": notice.title,
        "body": notice.body,
        "organization": ref(receipt.organization),
        "sent_at": notice.created_at,
        "read_at": receipt.read_at,
    }


@router.get(
    "/notices/inbox",
    response={200: Page[ReceiptOut], **ERRORS},
    operation_id="hubs_notices_inbox",
)
def notice_inbox(request: HttpRequest, page: Query[PageParams], unread_only: bool = False) -> Any:
    """Notices hubs sent to the caller's own organisations."""
    qs = selectors.notice_receipts_for(api_user(request))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return paginate(request, qs, page, render=receipt_out)


@router.post(
    "/notices/receipts/{int:receipt_id}/read",
    response={200: ReceiptOut, **ERRORS},
    operation_id="hubs_notices_mark_read",
)
def notice_mark_read(request: HttpRequest, receipt_id: int) -> Any:
    user = api_user(request)
    receipt = selectors.notice_receipt_get_for(user, receipt_id)
    return receipt_out(services.hub_notice_mark_read(actor=user, receipt=receipt))


# --- escalations ---------------------------------------------------------------------------


def escalation_out(esc: Escalation) -> dict[str, Any]:
    return {
        "id": esc.pk,
        "hub_id": esc.hub_id,
        "hub_name": esc.hub.name,
        "organization": ref(esc.organization),
        "title": esc.title,
        "description": esc.description,
        "state": esc.state,
        "region_code": esc.region_code,
        "assignee": esc.assignee.get_username() if esc.assignee else None,
        "assigned_at": esc.assigned_at,
        "resolved_at": esc.resolved_at,
        "resolution": esc.resolution,
        "created_at": esc.created_at,
    }


@router.post(
    "/hubs/{int:hub_id}/escalations",
    response={201: EscalationOut, **ERRORS},
    operation_id="hubs_escalations_raise",
)
def escalation_raise(request: HttpRequest, hub_id: int, payload: EscalationIn) -> Any:
    """A hub reports a problem with a member to the bureau (hub staff only)."""
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    esc = services.escalation_raise(
        actor=user,
        hub=hub,
        organization=org_for(user, payload.organization_id),
        title=payload.title,
        description=payload.description,
    )
    return Status(201, escalation_out(selectors.escalation_get_for(user, esc.pk)))


@router.get(
    "/escalations",
    response={200: Page[EscalationOut], **ERRORS},
    operation_id="hubs_escalations_list",
)
def escalation_list(request: HttpRequest, page: Query[PageParams], state: str = "") -> Any:
    qs = selectors.escalation_visible_to(viewer(request))
    if state:
        qs = qs.filter(state=state)
    return paginate(request, qs, page, render=escalation_out)


@router.get(
    "/escalations/{int:escalation_id}",
    response={200: EscalationDetailOut, **ERRORS},
    operation_id="hubs_escalations_detail",
)
def escalation_detail(request: HttpRequest, escalation_id: int) -> Any:
    esc = selectors.escalation_get_for(api_user(request), escalation_id)
    history = [history_out(row) for row in services.escalation_history(esc)]
    return {**escalation_out(esc), "history": history}


@router.post(
    "/escalations/{int:escalation_id}/assign",
    response={200: EscalationOut, **ERRORS},
    operation_id="hubs_escalations_assign",
)
def escalation_assign(request: HttpRequest, escalation_id: int, payload: HubAssignIn) -> Any:
    user = api_user(request)
    esc = selectors.escalation_get_for(user, escalation_id)
    assignee = selectors.account_named(payload.assignee)
    if assignee is None:
        raise ValidationFailed(
            _("未找到账号“%(name)s”") % {"name": payload.assignee.strip()},
            details={"assignee": _("无效")},
        )
    services.escalation_assign(actor=user, escalation=esc, assignee=assignee)
    return escalation_out(selectors.escalation_get_for(user, escalation_id))


@router.post(
    "/escalations/{int:escalation_id}/resolve",
    response={200: EscalationOut, **ERRORS},
    operation_id="hubs_escalations_resolve",
)
def escalation_resolve(request: HttpRequest, escalation_id: int, payload: ResolveIn) -> Any:
    user = api_user(request)
    esc = selectors.escalation_get_for(user, escalation_id)
    services.escalation_resolve(actor=user, escalation=esc, resolution=payload.resolution)
    return escalation_out(selectors.escalation_get_for(user, escalation_id))


# --- first-line reviews ------------------------------------------------------------------


def review_out(review: FirstLineReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "hub_id": review.hub_id,
        "organization": ref(review.organization),
        "subject": review.subject,
        "subject_id": review.subject_id,
        "opinion": review.opinion,
        "comment": review.comment,
        "score": review.score,
        "reviewed_by": str(review.reviewed_by) if review.reviewed_by else "",
        "reviewed_at": review.reviewed_at,
    }


@router.get(
    "/review-subjects",
    response={200: list[ReviewSubjectOut], **ERRORS},
    operation_id="hubs_review_subjects",
)
def review_subjects(request: HttpRequest) -> Any:
    """What hubs may give a first-line review of (declared by the apps that own them)."""
    viewer(request)
    return [{"code": s.code, "label": str(s.label)} for s in registry.review_subjects()]


@router.get(
    "/hubs/{int:hub_id}/reviews",
    response={200: Page[HubReviewOut], **ERRORS},
    operation_id="hubs_reviews_list",
)
def review_list(
    request: HttpRequest, hub_id: int, page: Query[PageParams], organization_id: int | None = None
) -> Any:
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    require(can_see_part(hub_view(user, hub).sees_reviews))
    org = org_for(user, organization_id) if organization_id is not None else None
    return paginate(request, selectors.hub_reviews(hub, organization=org), page, render=review_out)


@router.post(
    "/hubs/{int:hub_id}/reviews",
    response={201: HubReviewOut, **ERRORS},
    operation_id="hubs_reviews_record",
)
def review_record(request: HttpRequest, hub_id: int, payload: HubReviewIn) -> Any:
    """First-line review (初审) of a member's filing or annual report, with an optional score,
    recorded on behalf of the bureau (hub staff, over current members only)."""
    user = api_user(request)
    hub = selectors.hub_get_for(user, hub_id)
    review = services.hub_review_record(
        actor=user,
        hub=hub,
        organization=org_for(user, payload.organization_id),
        subject=payload.subject,
        subject_id=payload.subject_id.strip(),
        opinion=payload.opinion,
        comment=payload.comment,
        score=payload.score,
    )
    return Status(201, review_out(review))
