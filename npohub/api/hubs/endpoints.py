"""/api/v1/hubs/: one operation per endpoint; thin (selector or one service, render).

Objects come from the scoped selectors (404 for missing and not yours alike); services decide
who may act (403 with the Chinese reason) and what is valid (422 naming the field).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from npohub.accounts.models import User
from npohub.core.errors import NotFound, PermissionDenied, ValidationFailed
from npohub.hubs import registry, selectors, services
from npohub.hubs.models import (
    Escalation,
    Federation,
    FederationExternalMember,
    FirstLineReview,
    Hub,
    HubKind,
    HubMembership,
    NoticeReceipt,
    Pairing,
    ServicePlatform,
    StreetListItem,
)
from npohub.hubs.permissions import can_keep_street_lists, can_view_hubs
from npohub.orgs.models import Category, Organization
from npohub.orgs.selectors import organization_visible_to
from npohub.regions.models import Level, Region

from ..pagination import Page, PageParams, paginate
from .schemas import (
    AgreementIn,
    AssignIn,
    ChairIn,
    CoverageOut,
    ErrorOut,
    EscalationIn,
    EscalationOut,
    ExternalLeaveIn,
    ExternalMemberIn,
    ExternalMemberOut,
    FederationDetailOut,
    FederationIn,
    FederationOut,
    HonourIn,
    HonourOut,
    HubOut,
    ListItemIn,
    ListItemOut,
    ListStatusIn,
    MemberAddIn,
    MemberLeaveIn,
    MembershipOut,
    NoticeIn,
    NoticeOut,
    PairingCloseIn,
    PairingIn,
    PairingOut,
    PlatformDetailOut,
    PlatformIn,
    PlatformOut,
    ReceiptOut,
    RecogniseIn,
    ResolveIn,
    ReviewIn,
    ReviewOut,
    ReviewSubjectOut,
    RevokeIn,
    StaffAddIn,
    StaffOut,
    VisitIn,
    VisitOut,
)

router = Router(tags=["hubs"])

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _viewer(request: HttpRequest) -> Any:
    """The caller, if their role may read hub governance at all (403 with the reason)."""
    user = _user(request)
    decision = can_view_hubs(user)
    if not decision:
        raise PermissionDenied(decision.reason)
    return user


def _org(user: Any, pk: int) -> Organization:
    """An organisation the caller may see (404 as for a missing one otherwise)."""
    org = organization_visible_to(user).filter(pk=pk).first()
    if org is None:
        raise NotFound(_("组织不存在"))
    return org


def _region(code: str, field: str, *, level: int | None = None) -> Region:
    """A region by code (any significant prefix), or a 422 naming the field."""
    code = code.strip()
    qs = Region.objects.active().filter(code=code.ljust(12, "0"))
    if level is not None:
        qs = qs.filter(level=level)
    region = qs.first() if code.isdigit() and len(code) <= 12 else None
    if region is None:
        raise ValidationFailed(
            _("未找到区划“%(code)s”") % {"code": code}, details={field: _("无效")}
        )
    return region


def ref(org: Organization) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name, "uscc": org.uscc}


def hub_out(hub: Hub) -> dict[str, Any]:
    count = getattr(hub, "member_count", None)
    if count is None:
        count = hub.memberships.filter(left_on__isnull=True).count()
    return {
        "id": hub.pk,
        "name": hub.name,
        "kind": hub.kind,
        "kind_label": str(HubKind(hub.kind).label),
        "status": hub.status,
        "organization": ref(hub.organization),
        "region_code": hub.region.code if hub.region_id else "",  # type: ignore[union-attr]
        "scope_prefix": hub.scope_prefix,
        "category": hub.category.code if hub.category_id else "",  # type: ignore[union-attr]
        "scope_note": hub.scope_note,
        "decision_number": hub.decision_number,
        "decision_date": hub.decision_date,
        "decision_text": hub.decision_text,
        "valid_from": hub.valid_from,
        "valid_until": hub.valid_until,
        "revoked_on": hub.revoked_on,
        "revoked_reason": hub.revoked_reason,
        "member_count": count,
    }


def membership_out(m: HubMembership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "hub_id": m.hub_id,
        "organization": ref(m.organization),
        "role": m.role,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
        "leave_reason": m.leave_reason,
        "agreement_signed_on": m.agreement_signed_on,
        "agreement_terms": m.agreement_terms,
    }


# --- hubs ----------------------------------------------------------------------------------------


@router.get("/hubs", response={200: Page[HubOut], **ERRORS}, operation_id="hubs_list")
def hub_list(
    request: HttpRequest,
    page: Query[PageParams],
    kind: str = "",
    status: str = "",
    region: str = "",
    q: str = "",
) -> Any:
    """Hubs the caller may see (their region's, their own hubs for hub staff)."""
    user = _viewer(request)
    filters = selectors.HubFilters(
        kind=kind, status=status, region_prefix=region.strip().rstrip("0"), search=q.strip()
    )
    return paginate(request, selectors.hub_list_for(user, filters), page, render=hub_out)


@router.post("/hubs", response={201: HubOut, **ERRORS}, operation_id="hubs_recognise")
def hub_recognise(request: HttpRequest, payload: RecogniseIn) -> Any:
    """The bureau recognises a registered organisation as a hub for a region and/or a field."""
    user = _user(request)
    org = _org(user, payload.organization_id)
    region = _region(payload.region_code, "region_code") if payload.region_code.strip() else None
    category = None
    if payload.category_code.strip():
        category = Category.objects.filter(code=payload.category_code.strip()).first()
        if category is None:
            raise ValidationFailed(_("未找到该领域"), details={"category_code": _("无效")})
    hub = services.hub_recognize(
        actor=user,
        organization=org,
        data=services.RecognitionInput(
            kind=payload.kind,
            decision_number=payload.decision_number,
            decision_date=payload.decision_date,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
            region=region,
            category=category,
            scope_note=payload.scope_note,
            decision_text=payload.decision_text,
        ),
    )
    return Status(201, hub_out(selectors.hub_get_for(user, hub.pk)))


@router.get("/hubs/{int:hub_id}", response={200: HubOut, **ERRORS}, operation_id="hubs_detail")
def hub_detail(request: HttpRequest, hub_id: int) -> Any:
    return hub_out(selectors.hub_get_for(_user(request), hub_id))


@router.post(
    "/hubs/{int:hub_id}/revoke", response={200: HubOut, **ERRORS}, operation_id="hubs_revoke"
)
def hub_revoke(request: HttpRequest, hub_id: int, payload: RevokeIn) -> Any:
    """Revoke the recognition: its staff lose access to every member at once."""
    user = _user(request)
    hub = services.hub_revoke(
        actor=user, hub=selectors.hub_get_for(user, hub_id), reason=payload.reason
    )
    return hub_out(Hub.objects.select_related("organization", "region", "category").get(pk=hub.pk))


# --- roster ----------------------------------------------------------------------------------


@router.get(
    "/hubs/{int:hub_id}/members",
    response={200: Page[MembershipOut], **ERRORS},
    operation_id="hubs_members_list",
)
def member_list(
    request: HttpRequest, hub_id: int, page: Query[PageParams], current_only: bool = False
) -> Any:
    """The roster with its history (every stay, with join and leave dates)."""
    hub = selectors.hub_get_for(_user(request), hub_id)
    return paginate(
        request, selectors.hub_members(hub, current_only=current_only), page, render=membership_out
    )


@router.post(
    "/hubs/{int:hub_id}/members",
    response={201: MembershipOut, **ERRORS},
    operation_id="hubs_members_add",
)
def member_add(request: HttpRequest, hub_id: int, payload: MemberAddIn) -> Any:
    user = _user(request)
    hub = selectors.hub_get_for(user, hub_id)
    membership = services.hub_member_add(
        actor=user,
        hub=hub,
        organization=_org(user, payload.organization_id),
        data=services.MembershipInput(
            joined_on=payload.joined_on,
            role=payload.role,
            agreement_signed_on=payload.agreement_signed_on,
            agreement_terms=payload.agreement_terms,
        ),
    )
    return Status(201, membership_out(membership))


@router.post(
    "/hubs/{int:hub_id}/members/{int:membership_id}/leave",
    response={200: MembershipOut, **ERRORS},
    operation_id="hubs_members_leave",
)
def member_leave(
    request: HttpRequest, hub_id: int, membership_id: int, payload: MemberLeaveIn
) -> Any:
    user = _user(request)
    membership = selectors.membership_get(selectors.hub_get_for(user, hub_id), membership_id)
    membership = services.hub_member_leave(
        actor=user, membership=membership, left_on=payload.left_on, reason=payload.reason
    )
    return membership_out(membership)


@router.post(
    "/hubs/{int:hub_id}/members/{int:membership_id}/agreement",
    response={200: MembershipOut, **ERRORS},
    operation_id="hubs_members_sign_agreement",
)
def member_agreement(
    request: HttpRequest, hub_id: int, membership_id: int, payload: AgreementIn
) -> Any:
    """Record the supervision agreement (监管协议) with a current member."""
    user = _user(request)
    membership = selectors.membership_get(selectors.hub_get_for(user, hub_id), membership_id)
    membership = services.hub_member_sign_agreement(
        actor=user, membership=membership, signed_on=payload.signed_on, terms=payload.terms
    )
    return membership_out(membership)


# --- staff -----------------------------------------------------------------------------------


def staff_out(account: Any) -> dict[str, Any]:
    return {
        "id": account.pk,
        "username": account.get_username(),
        "display_name": account.display_name,
    }


@router.get(
    "/hubs/{int:hub_id}/staff",
    response={200: list[StaffOut], **ERRORS},
    operation_id="hubs_staff_list",
)
def staff_list(request: HttpRequest, hub_id: int) -> Any:
    hub = selectors.hub_get_for(_user(request), hub_id)
    return [staff_out(u) for u in selectors.hub_staff_users(hub).order_by("username")]


@router.post(
    "/hubs/{int:hub_id}/staff", response={201: StaffOut, **ERRORS}, operation_id="hubs_staff_add"
)
def staff_add(request: HttpRequest, hub_id: int, payload: StaffAddIn) -> Any:
    """Make a hub-staff account staff of the hub: it then acts over the hub's members."""
    user = _user(request)
    hub = selectors.hub_get_for(user, hub_id)
    account = User.objects.filter(username=payload.username.strip()).first()
    if account is None:
        raise ValidationFailed(
            _("未找到账号“%(name)s”") % {"name": payload.username.strip()},
            details={"username": _("无效")},
        )
    services.hub_staff_add(actor=user, hub=hub, user=account, valid_from=payload.valid_from)
    return Status(201, staff_out(account))


@router.post(
    "/hubs/{int:hub_id}/staff/{int:user_id}/remove",
    response={204: None, **ERRORS},
    operation_id="hubs_staff_remove",
)
def staff_remove(request: HttpRequest, hub_id: int, user_id: int) -> Any:
    user = _user(request)
    hub = selectors.hub_get_for(user, hub_id)
    account = selectors.hub_staff_users(hub).filter(pk=user_id).first()
    if account is None:
        raise NotFound(_("该账号不是本枢纽工作人员"))
    services.hub_staff_remove(actor=user, hub=hub, user=account)
    return Status(204, None)


# --- notices -------------------------------------------------------------------------------


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
    hub = selectors.hub_get_for(_user(request), hub_id)
    return paginate(request, selectors.hub_notices(hub), page, render=notice_out)


@router.post(
    "/hubs/{int:hub_id}/notices",
    response={201: NoticeOut, **ERRORS},
    operation_id="hubs_notices_send",
)
def notice_send(request: HttpRequest, hub_id: int, payload: NoticeIn) -> Any:
    """Send a notice to every current member, on behalf of the bureau (hub staff only)."""
    user = _user(request)
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
    qs = selectors.notice_receipts_for(_user(request))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return paginate(request, qs, page, render=receipt_out)


@router.post(
    "/notices/receipts/{int:receipt_id}/read",
    response={200: ReceiptOut, **ERRORS},
    operation_id="hubs_notices_mark_read",
)
def notice_mark_read(request: HttpRequest, receipt_id: int) -> Any:
    user = _user(request)
    receipt = selectors.notice_receipts_for(user).filter(pk=receipt_id).first()
    if receipt is None:
        raise NotFound(_("通知不存在"))
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
    user = _user(request)
    hub = selectors.hub_get_for(user, hub_id)
    esc = services.escalation_raise(
        actor=user,
        hub=hub,
        organization=_org(user, payload.organization_id),
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
    qs = selectors.escalation_visible_to(_viewer(request))
    if state:
        qs = qs.filter(state=state)
    return paginate(request, qs, page, render=escalation_out)


@router.get(
    "/escalations/{int:escalation_id}",
    response={200: EscalationOut, **ERRORS},
    operation_id="hubs_escalations_detail",
)
def escalation_detail(request: HttpRequest, escalation_id: int) -> Any:
    return escalation_out(selectors.escalation_get_for(_user(request), escalation_id))


@router.post(
    "/escalations/{int:escalation_id}/assign",
    response={200: EscalationOut, **ERRORS},
    operation_id="hubs_escalations_assign",
)
def escalation_assign(request: HttpRequest, escalation_id: int, payload: AssignIn) -> Any:
    user = _user(request)
    esc = selectors.escalation_get_for(user, escalation_id)
    assignee = User.objects.filter(username=payload.assignee.strip()).first()
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
    user = _user(request)
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
    _viewer(request)
    return [{"code": s.code, "label": str(s.label)} for s in registry.review_subjects()]


@router.get(
    "/hubs/{int:hub_id}/reviews",
    response={200: Page[ReviewOut], **ERRORS},
    operation_id="hubs_reviews_list",
)
def review_list(
    request: HttpRequest, hub_id: int, page: Query[PageParams], organization_id: int | None = None
) -> Any:
    user = _user(request)
    hub = selectors.hub_get_for(user, hub_id)
    org = _org(user, organization_id) if organization_id is not None else None
    return paginate(request, selectors.hub_reviews(hub, organization=org), page, render=review_out)


@router.post(
    "/hubs/{int:hub_id}/reviews",
    response={201: ReviewOut, **ERRORS},
    operation_id="hubs_reviews_record",
)
def review_record(request: HttpRequest, hub_id: int, payload: ReviewIn) -> Any:
    """First-line review (初审) of a member's filing or annual report, with an optional score,
    recorded on behalf of the bureau (hub staff, over current members only)."""
    user = _user(request)
    hub = selectors.hub_get_for(user, hub_id)
    review = services.hub_review_record(
        actor=user,
        hub=hub,
        organization=_org(user, payload.organization_id),
        subject=payload.subject,
        subject_id=payload.subject_id.strip(),
        opinion=payload.opinion,
        comment=payload.comment,
        score=payload.score,
    )
    return Status(201, review_out(review))


# --- service platforms ---------------------------------------------------------------------


def platform_out(p: ServicePlatform) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "level": p.level,
        "region_code": p.region_code,
        "region_name": p.region.name,
        "operator_id": p.operator_id,
        "operator_name": p.operator.name,
        "offerings": [o.code for o in p.offerings.all()],
        "address": p.address,
        "area_sqm": p.area_sqm,
        "opened_on": p.opened_on,
        "closed_on": p.closed_on,
        "incubated_count": p.incubated_count,
        "project_count": p.project_count,
    }


def visit_out(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "visited_on": v.visited_on,
        "visitor": v.visitor,
        "headcount": v.headcount,
        "purpose": v.purpose,
    }


def honour_out(h: Any) -> dict[str, Any]:
    return {"id": h.pk, "title": h.title, "awarded_by": h.awarded_by, "awarded_on": h.awarded_on}


def platform_detail_out(p: ServicePlatform) -> dict[str, Any]:
    return {
        **platform_out(p),
        "visits": [visit_out(v) for v in p.visits.all()[:100]],
        "honours": [honour_out(h) for h in p.honours.all()[:100]],
    }


@router.get(
    "/platforms", response={200: Page[PlatformOut], **ERRORS}, operation_id="hubs_platforms_list"
)
def platform_list(request: HttpRequest, page: Query[PageParams], level: str = "") -> Any:
    qs = selectors.platform_visible_to(_viewer(request))
    if level:
        qs = qs.filter(level=level)
    return paginate(request, qs, page, render=platform_out)


@router.post(
    "/platforms", response={201: PlatformDetailOut, **ERRORS}, operation_id="hubs_platforms_create"
)
def platform_create(request: HttpRequest, payload: PlatformIn) -> Any:
    """The bureau opens a service platform run by a hub, at city, district or street level."""
    user = _user(request)
    operator = selectors.hub_get_for(user, payload.operator_id)
    platform = services.platform_create(
        actor=user,
        data=services.PlatformInput(
            name=payload.name,
            level=payload.level,
            region=_region(payload.region_code, "region_code"),
            operator=operator,
            opened_on=payload.opened_on,
            offerings=payload.offerings,
            address=payload.address,
            area_sqm=payload.area_sqm,
        ),
    )
    return Status(201, platform_detail_out(selectors.platform_get_for(user, platform.pk)))


@router.get(
    "/platforms/{int:platform_id}",
    response={200: PlatformDetailOut, **ERRORS},
    operation_id="hubs_platforms_detail",
)
def platform_detail(request: HttpRequest, platform_id: int) -> Any:
    return platform_detail_out(selectors.platform_get_for(_user(request), platform_id))


@router.post(
    "/platforms/{int:platform_id}/visits",
    response={201: VisitOut, **ERRORS},
    operation_id="hubs_platforms_visit",
)
def platform_visit(request: HttpRequest, platform_id: int, payload: VisitIn) -> Any:
    user = _user(request)
    visit = services.platform_record_visit(
        actor=user,
        platform=selectors.platform_get_for(user, platform_id),
        visited_on=payload.visited_on,
        visitor=payload.visitor,
        headcount=payload.headcount,
        purpose=payload.purpose,
    )
    return Status(201, visit_out(visit))


@router.post(
    "/platforms/{int:platform_id}/honours",
    response={201: HonourOut, **ERRORS},
    operation_id="hubs_platforms_honour",
)
def platform_honour(request: HttpRequest, platform_id: int, payload: HonourIn) -> Any:
    user = _user(request)
    honour = services.platform_record_honour(
        actor=user,
        platform=selectors.platform_get_for(user, platform_id),
        title=payload.title,
        awarded_by=payload.awarded_by,
        awarded_on=payload.awarded_on,
    )
    return Status(201, honour_out(honour))


# --- pairings ------------------------------------------------------------------------------


def pairing_out(p: Pairing) -> dict[str, Any]:
    return {
        "id": p.pk,
        "senior": ref(p.senior),
        "community_group": ref(p.community_group),
        "topic": p.topic,
        "started_on": p.started_on,
        "ended_on": p.ended_on,
        "outcome": p.outcome,
    }


@router.get(
    "/pairings", response={200: Page[PairingOut], **ERRORS}, operation_id="hubs_pairings_list"
)
def pairing_list(request: HttpRequest, page: Query[PageParams], open_only: bool = False) -> Any:
    qs = selectors.pairing_visible_to(_viewer(request))
    if open_only:
        qs = qs.filter(ended_on__isnull=True)
    return paginate(request, qs, page, render=pairing_out)


@router.post("/pairings", response={201: PairingOut, **ERRORS}, operation_id="hubs_pairings_create")
def pairing_create(request: HttpRequest, payload: PairingIn) -> Any:
    """Pair a city/district organisation with a community group (结对共建)."""
    user = _user(request)
    pairing = services.pairing_create(
        actor=user,
        senior=_org(user, payload.senior_id),
        community_group=_org(user, payload.community_group_id),
        topic=payload.topic,
        started_on=payload.started_on,
    )
    return Status(201, pairing_out(pairing))


@router.post(
    "/pairings/{int:pairing_id}/close",
    response={200: PairingOut, **ERRORS},
    operation_id="hubs_pairings_close",
)
def pairing_close(request: HttpRequest, pairing_id: int, payload: PairingCloseIn) -> Any:
    user = _user(request)
    pairing = services.pairing_close(
        actor=user,
        pairing=selectors.pairing_get_for(user, pairing_id),
        ended_on=payload.ended_on,
        outcome=payload.outcome,
    )
    return pairing_out(pairing)


# --- federations ---------------------------------------------------------------------------


def federation_out(f: Federation) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.name,
        "street_code": f.street_code,
        "street_name": f.street.name,
        "hub_id": f.hub_id,
        "organization": ref(f.organization),
        "established_on": f.established_on,
        "dissolved_on": f.dissolved_on,
        "chair": f.chair.name if f.chair else "",
        "chair_title": f.chair_title,
        "chaired_by_street_head": f.chaired_by_street_head,
    }


def external_out(m: FederationExternalMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "federation_id": m.federation_id,
        "name": m.name,
        "kind": m.kind,
        "credit_code": m.credit_code,
        "contact": m.contact,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


def federation_detail_out(f: Federation) -> dict[str, Any]:
    return {
        **federation_out(f),
        "members": [membership_out(m) for m in selectors.hub_members(f.hub)[:500]],
        "external_members": [external_out(m) for m in f.external_members.all()],
    }


@router.get(
    "/federations",
    response={200: Page[FederationOut], **ERRORS},
    operation_id="hubs_federations_list",
)
def federation_list(request: HttpRequest, page: Query[PageParams], region: str = "") -> Any:
    qs = selectors.federation_visible_to(_viewer(request))
    if region.strip():
        qs = qs.filter(street_code__startswith=region.strip().rstrip("0"))
    return paginate(request, qs, page, render=federation_out)


@router.post(
    "/federations",
    response={201: FederationDetailOut, **ERRORS},
    operation_id="hubs_federations_create",
)
def federation_create(request: HttpRequest, payload: FederationIn) -> Any:
    """Set up the street's federation (one per street) and record its chair."""
    user = _user(request)
    street = _region(payload.street_code, "street_code", level=Level.TOWNSHIP)
    fed = services.federation_create(
        actor=user,
        street=street,
        organization=_org(user, payload.organization_id),
        data=services.FederationInput(
            established_on=payload.established_on,
            decision_number=payload.decision_number,
            chair_name=payload.chair_name,
            chair_title=payload.chair_title,
            chaired_by_street_head=payload.chaired_by_street_head,
        ),
    )
    return Status(201, federation_detail_out(selectors.federation_get_for(user, fed.pk)))


@router.get(
    "/federations/{int:federation_id}",
    response={200: FederationDetailOut, **ERRORS},
    operation_id="hubs_federations_detail",
)
def federation_detail(request: HttpRequest, federation_id: int) -> Any:
    """The federation with its chair, its member organisations and its unit members."""
    return federation_detail_out(selectors.federation_get_for(_user(request), federation_id))


@router.post(
    "/federations/{int:federation_id}/chair",
    response={200: FederationOut, **ERRORS},
    operation_id="hubs_federations_set_chair",
)
def federation_set_chair(request: HttpRequest, federation_id: int, payload: ChairIn) -> Any:
    user = _user(request)
    services.federation_set_chair(
        actor=user,
        federation=selectors.federation_get_for(user, federation_id),
        chair_name=payload.chair_name,
        chair_title=payload.chair_title,
        chaired_by_street_head=payload.chaired_by_street_head,
    )
    return federation_out(selectors.federation_get_for(user, federation_id))


@router.post(
    "/federations/{int:federation_id}/external-members",
    response={201: ExternalMemberOut, **ERRORS},
    operation_id="hubs_federations_external_add",
)
def external_member_add(request: HttpRequest, federation_id: int, payload: ExternalMemberIn) -> Any:
    """An enterprise or public institution joins the federation as a unit member."""
    user = _user(request)
    member = services.federation_external_member_add(
        actor=user,
        federation=selectors.federation_get_for(user, federation_id),
        name=payload.name,
        kind=payload.kind,
        joined_on=payload.joined_on,
        credit_code=payload.credit_code,
        contact=payload.contact,
    )
    return Status(201, external_out(member))


@router.post(
    "/federation-members/{int:member_id}/leave",
    response={200: ExternalMemberOut, **ERRORS},
    operation_id="hubs_federations_external_leave",
)
def external_member_leave(request: HttpRequest, member_id: int, payload: ExternalLeaveIn) -> Any:
    user = _user(request)
    member = services.federation_external_member_leave(
        actor=user,
        member=selectors.external_member_get_for(user, member_id),
        left_on=payload.left_on,
    )
    return external_out(member)


# --- the streets' three lists --------------------------------------------------------------


def _street(user: Any, code: str) -> Region:
    """A street whose lists the caller keeps (404 for a missing street and a foreign one)."""
    street = (
        Region.objects.active().filter(code=code.strip().ljust(12, "0"), level=Level.TOWNSHIP)
    ).first()
    if street is None or not can_keep_street_lists(user, street.code):
        raise NotFound(_("街道不存在"))
    return street


def list_item_out(kind: str) -> Any:
    def render(item: StreetListItem) -> dict[str, Any]:
        return {
            "id": item.pk,
            "list_kind": kind,
            "street_code": item.street_code,
            "federation_id": item.federation_id,
            "title": item.title,
            "description": item.description,
            "category": item.category,
            "status": item.status,
            "created_at": item.created_at,
        }

    return render


@router.get(
    "/streets/{code}/lists/{kind}",
    response={200: Page[ListItemOut], **ERRORS},
    operation_id="hubs_street_lists_list",
)
def street_list(
    request: HttpRequest, code: str, kind: str, page: Query[PageParams], status: str = ""
) -> Any:
    """A street's needs, resources or services list (kind: needs / resources / services)."""
    street = _street(_user(request), code)
    qs = selectors.street_list_items(kind, street.code)
    if status:
        qs = qs.filter(status=status)
    return paginate(request, qs, page, render=list_item_out(kind))


@router.post(
    "/streets/{code}/lists/{kind}",
    response={201: ListItemOut, **ERRORS},
    operation_id="hubs_street_lists_add",
)
def street_list_add(request: HttpRequest, code: str, kind: str, payload: ListItemIn) -> Any:
    user = _user(request)
    street = _street(user, code)
    selectors.street_list_items(kind, street.code)  # 404 for an unknown list
    item = services.street_list_item_create(
        actor=user,
        list_kind=kind,
        street=street,
        title=payload.title,
        description=payload.description,
        category=payload.category,
    )
    return Status(201, list_item_out(kind)(item))


@router.post(
    "/streets/{code}/lists/{kind}/{int:item_id}/status",
    response={200: ListItemOut, **ERRORS},
    operation_id="hubs_street_lists_set_status",
)
def street_list_status(
    request: HttpRequest, code: str, kind: str, item_id: int, payload: ListStatusIn
) -> Any:
    user = _user(request)
    street = _street(user, code)
    item = selectors.street_list_items(kind, street.code).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("清单条目不存在"))
    item = services.street_list_item_set_status(actor=user, item=item, status=payload.status)
    return list_item_out(kind)(item)


# --- coverage ------------------------------------------------------------------------------


def coverage_figures(prefix: str) -> dict[str, Any]:
    """Federation coverage (drill-down one level below ``prefix``), platform coverage per level
    and recognised hubs per kind: the same figures as the coverage page."""
    feds = selectors.federation_coverage(prefix, group_level=selectors.coverage_group_level(prefix))

    def fed_row(row: selectors.FederationCoverage) -> dict[str, Any]:
        return {
            "code": row.code,
            "name": row.name,
            "streets": row.streets,
            "with_federation": row.with_federation,
            "chaired_by_head": row.chaired_by_head,
            "coverage": str(row.coverage),
            "head_chair_share": str(row.head_chair_share),
        }

    area = Region.objects.active().filter(code=prefix.ljust(12, "0")).first() if prefix else None
    counts = selectors.hub_counts_by_kind(prefix)
    return {
        "region_code": prefix.ljust(12, "0") if prefix else "",
        "region_name": area.name if area else "",
        "federations": [fed_row(r) for r in feds["rows"]],
        "federation_total": fed_row(feds["total"]),
        "platforms": [
            {
                "level": str(c.level),
                "label": c.label,
                "regions": c.regions,
                "covered": c.covered,
                "platforms": c.platforms,
                "coverage": str(c.coverage),
            }
            for c in selectors.platform_coverage(prefix)
        ],
        "hubs_by_kind": {kind: counts.get(kind, 0) for kind in HubKind.values},
    }


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, operation_id="hubs_coverage")
def coverage(request: HttpRequest, region: str = "") -> Any:
    """Coverage figures for the caller's region or a region inside it (city → district →
    street): streets with a federation, the share chaired by the street head, platforms."""
    user = _viewer(request)
    prefix = selectors.coverage_prefix_for(user, region)
    if prefix is None:
        raise NotFound(_("区划不存在"))
    return coverage_figures(prefix)
