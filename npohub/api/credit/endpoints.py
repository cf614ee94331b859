"""/api/v1/credit/: one operation per endpoint; thin (selector or one service, render)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from npohub.accounts.models import User
from npohub.core.permissions import require
from npohub.core.validators import mask_id_number
from npohub.credit import eligibility, selectors, services
from npohub.credit.models import BarredPerson, CreditFact, CreditRequest, CreditRule, Listing
from npohub.credit.permissions import barred_person_view, can_manage_credit, can_resolve_fact
from npohub.orgs.selectors import organization_get_for

from ..pagination import Page, PageParams, paginate
from ..request import api_user
from .schemas import (
    BarredIn,
    BarredLiftIn,
    BarredOut,
    ContactOut,
    CreditContactIn,
    CreditFileOut,
    EligibilityOut,
    ErrorOut,
    EvaluateIn,
    EvaluationOut,
    FactIn,
    FactOut,
    FactResolveIn,
    ListingDetailOut,
    ListingFilterIn,
    ListingOut,
    RequestIn,
    RequestOut,
    RequestTransitionIn,
    RuleIn,
    RuleOut,
)

router = Router(tags=["credit"])
ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


def listing_out(listing: Listing) -> dict[str, Any]:
    org = listing.organization
    return {
        "id": listing.pk,
        "organization_id": org.pk,
        "organization_name": org.name,
        "uscc": org.uscc,
        "credit_list": listing.credit_list,
        "rule": listing.rule.code,
        "reason": listing.reason,
        "legal_basis": listing.legal_basis,
        "listed_on": listing.listed_on,
        "clock_started_on": listing.clock_started_on,
        "removed_on": listing.removed_on,
        "removal_reason": listing.removal_reason,
    }


def listing_detail_out(listing: Listing) -> dict[str, Any]:
    return {
        **listing_out(listing),
        "events": list(listing.events.all()),
        "fact_ids": [fact.pk for fact in listing.facts.all()],
    }


def filters_of(data: ListingFilterIn) -> selectors.ListingFilters:
    return selectors.ListingFilters(
        credit_list=data.credit_list,
        region_prefix=data.region.rstrip("0") if data.region else "",
        kind=data.kind,
        rule=data.rule,
        listed_from=data.listed_from,
        listed_until=data.listed_until,
        search=data.q.strip(),
        state=data.state,
    )


@router.get(
    "/listings", response={200: Page[ListingOut], **ERRORS}, operation_id="credit_listings_list"
)
def listing_list(
    request: HttpRequest, filters: Query[ListingFilterIn], page: Query[PageParams]
) -> dict[str, Any]:
    """Listings of the organisations in the caller's scope, newest first."""
    return paginate(
        request,
        selectors.listing_list_for(api_user(request), filters_of(filters)),
        page,
        render=listing_out,
    )


@router.get(
    "/listings/{int:listing_id}",
    response={200: ListingDetailOut, **ERRORS},
    operation_id="credit_listings_detail",
)
def listing_detail(request: HttpRequest, listing_id: int) -> dict[str, Any]:
    return listing_detail_out(selectors.listing_get_for(api_user(request), listing_id))


@router.get(
    "/organizations/{int:org_id}",
    response={200: CreditFileOut, **ERRORS},
    operation_id="credit_organization_file",
)
def credit_file(request: HttpRequest, org_id: int) -> dict[str, Any]:
    """An organisation's credit file: facts and listings with their events."""
    org = selectors.credit_file_for(api_user(request), org_id)
    return {
        "organization_id": org.pk,
        "name": org.name,
        "facts": list(selectors.facts_of(org)),
        "listings": [
            listing_detail_out(item)
            for item in selectors.listings_of(org).prefetch_related("facts")
        ],
    }


@router.get(
    "/organizations/{int:org_id}/eligibility",
    response={200: EligibilityOut, **ERRORS},
    operation_id="credit_organization_eligibility",
)
def eligibility_check(
    request: HttpRequest, org_id: int, purpose: str, on: dt.date | None = None
) -> dict[str, Any]:
    org = selectors.credit_file_for(api_user(request), org_id)
    day = on or timezone.localdate()
    result = eligibility.is_eligible(org, purpose, on=day)
    return {
        "organization_id": org.pk,
        "purpose": purpose,
        "on": day,
        "ok": result.ok,
        "reasons": result.reasons,
    }


@router.post("/facts", response={201: FactOut, **ERRORS}, operation_id="credit_facts_create")
def fact_create(request: HttpRequest, payload: FactIn) -> Status[Any]:
    """The bureau enters a fact by hand (court notice, another department's penalty)."""
    user = api_user(request)
    org = organization_get_for(user, payload.organization_id)
    fact = services.credit_fact_enter(
        actor=user,
        organization=org,
        kind=payload.kind,
        arose_on=payload.arose_on,
        summary=payload.summary,
        legal_basis=payload.legal_basis,
        amount=payload.amount,
        reference=payload.reference,
    )
    return Status(201, fact)


@router.post(
    "/facts/{int:fact_id}/resolve",
    response={200: FactOut, **ERRORS},
    operation_id="credit_facts_resolve",
)
def fact_resolve(request: HttpRequest, fact_id: int, payload: FactResolveIn) -> CreditFact:
    """The bureau records that the obligation behind a fact was fulfilled or rectified."""
    user = api_user(request)
    fact = selectors.fact_get_for(user, fact_id)
    require(can_resolve_fact(user, fact.organization))
    return services.credit_fact_resolve(actor=user, fact=fact, on=payload.on, note=payload.note)


@router.get(
    "/late-entries",
    response={200: Page[FactOut], **ERRORS},
    operation_id="credit_late_entries_list",
)
def late_entries(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Rule 28: facts entered later than the time limit."""
    user = api_user(request)
    require(can_manage_credit(user))
    return paginate(request, selectors.late_entries_for(user), page)


@router.get(
    "/requests", response={200: Page[RequestOut], **ERRORS}, operation_id="credit_requests_list"
)
def request_list(
    request: HttpRequest, page: Query[PageParams], state: str = "", kind: str = ""
) -> dict[str, Any]:
    return paginate(
        request, selectors.request_list_for(api_user(request), state=state, kind=kind), page
    )


@router.post(
    "/requests", response={201: RequestOut, **ERRORS}, operation_id="credit_requests_create"
)
def request_create(request: HttpRequest, payload: RequestIn) -> Status[Any]:
    """The organisation objects to a listing or applies for credit repair."""
    user = api_user(request)
    listing = selectors.listing_get_for(user, payload.listing_id)
    item = services.credit_request_file(
        actor=user, listing=listing, kind=payload.kind, reasons=payload.reasons
    )
    return Status(201, item)


@router.post(
    "/requests/{int:request_id}/transitions",
    response={200: RequestOut, **ERRORS},
    operation_id="credit_requests_transition",
)
def request_transition(
    request: HttpRequest, request_id: int, payload: RequestTransitionIn
) -> CreditRequest:
    user = api_user(request)
    item = selectors.request_get_for(user, request_id)
    return services.credit_request_transition(
        actor=user, request=item, transition=payload.transition, note=payload.note
    )


@router.get("/rules", response={200: list[RuleOut], **ERRORS}, operation_id="credit_rules_list")
def rule_list(request: HttpRequest) -> list[CreditRule]:
    require(can_manage_credit(api_user(request)))
    return list(selectors.rule_list())


@router.patch(
    "/rules/{int:rule_id}", response={200: RuleOut, **ERRORS}, operation_id="credit_rules_update"
)
def rule_update(request: HttpRequest, rule_id: int, payload: RuleIn) -> CreditRule:
    user = api_user(request)
    require(can_manage_credit(user))
    rule = selectors.rule_get(rule_id)
    return services.credit_rule_update(
        actor=user, rule=rule, is_active=payload.is_active, parameters=payload.parameters
    )


def barred_out(user: User, item: BarredPerson) -> dict[str, Any]:
    """One barred person as ``permissions.barred_person_view`` says (as on the page)."""
    view = barred_person_view(user, item)
    return {
        "id": item.pk,
        "name": item.name,
        "id_number_masked": item.id_number
        if view.sees_id_number
        else mask_id_number(item.id_number),
        "reason": item.reason,
        "legal_basis": item.legal_basis,
        "barred_from": item.barred_from,
        "barred_until": item.barred_until,
        "lifted_on": item.lifted_on,
    }


@router.get(
    "/barred-persons", response={200: Page[BarredOut], **ERRORS}, operation_id="credit_barred_list"
)
def barred_list(request: HttpRequest, page: Query[PageParams], q: str = "") -> dict[str, Any]:
    user = api_user(request)
    require(can_manage_credit(user))
    return paginate(
        request,
        selectors.barred_person_list(search=q.strip()),
        page,
        render=lambda item: barred_out(user, item),
    )


@router.post(
    "/barred-persons", response={201: BarredOut, **ERRORS}, operation_id="credit_barred_create"
)
def barred_create(request: HttpRequest, payload: BarredIn) -> Status[Any]:
    user = api_user(request)
    require(can_manage_credit(user))
    item = services.barred_person_add(actor=user, **payload.dict())
    return Status(201, barred_out(user, item))


@router.post(
    "/barred-persons/{int:barred_id}/lift",
    response={200: BarredOut, **ERRORS},
    operation_id="credit_barred_lift",
)
def barred_lift(request: HttpRequest, barred_id: int, payload: BarredLiftIn) -> dict[str, Any]:
    user = api_user(request)
    require(can_manage_credit(user))
    item = selectors.barred_person_get(barred_id)
    return barred_out(
        user, services.barred_person_lift(actor=user, barred=item, on=payload.on, note=payload.note)
    )


@router.get(
    "/contacts", response={200: Page[ContactOut], **ERRORS}, operation_id="credit_contacts_list"
)
def contact_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    user = api_user(request)
    require(can_manage_credit(user))
    return paginate(request, selectors.contact_attempts_for(user), page)


@router.post(
    "/contacts", response={201: ContactOut, **ERRORS}, operation_id="credit_contacts_create"
)
def contact_create(request: HttpRequest, payload: CreditContactIn) -> Status[Any]:
    user = api_user(request)
    org = organization_get_for(user, payload.organization_id)
    data = payload.dict(exclude={"organization_id"})
    return Status(201, services.contact_attempt_record(actor=user, organization=org, **data))


@router.post(
    "/evaluations", response={200: EvaluationOut, **ERRORS}, operation_id="credit_evaluate"
)
def evaluate(request: HttpRequest, payload: EvaluateIn) -> Any:
    """Run the detectors and the listing rules for a date (idempotent)."""
    user = api_user(request)
    require(can_manage_credit(user))
    return services.credit_evaluate(on=payload.on, actor=user)
