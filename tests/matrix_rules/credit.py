"""Permission-matrix rules for the credit app (merged into tests/test_permission_matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from npohub.credit.models import BarredPerson, CreditFact, CreditRequest, CreditRule, Listing
from tests.matrix import (
    BUREAU,
    PUBLIC,
    SEES_ASSOC,
    SIGNED_IN,
    Rule,
    World,
    assoc,
    foreign_org,
)

BUREAUS_ALL = frozenset({"admin", "city", "district", "district_out", "qingdao"})
CITY_BUREAUS = frozenset({"admin", "city", "qingdao"})
LISTERS = BUREAUS_ALL | {"street", "street_out", "community"}
OWNER = frozenset({"org_user"})
VALID_ID = "11010519491231002X"


def _fact(org: Any, ref: str) -> CreditFact:
    return CreditFact.objects.create(
        organization=org,
        kind="warning",
        category="penalty",
        arose_on=dt.date(2025, 6, 1),
        entered_on=dt.date(2025, 6, 1),
        summary="警告",
        source="matrix",
        source_ref=ref,
    )


def _listing(org: Any) -> Listing:
    fact = _fact(org, f"matrix:{org.pk}")
    listing = Listing.objects.create(
        organization=org,
        credit_list="abnormal",
        rule=CreditRule.objects.get(code="light_penalty"),
        reason="受到警告",
        legal_basis="《社会组织信用信息管理办法》",
        listed_on=dt.date(2025, 6, 1),
        clock_started_on=dt.date(2025, 6, 1),
    )
    listing.facts.add(fact)
    return listing


def listing_of(world: World, org: Any) -> Listing:
    return world.once(("listing", org.pk), lambda: _listing(org))


def listing_target(param: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        return {
            "in": {param: listing_of(world, world.orgs["assoc"]).pk},
            "out": {param: listing_of(world, foreign_org(world, user)).pk},
        }

    return build


def fact_target(param: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        inside = world.once("fact-in", lambda: _fact(world.orgs["assoc"], "matrix:fact-in"))
        org = foreign_org(world, user)
        outside = world.once(("fact", org.pk), lambda: _fact(org, f"matrix:fact:{org.pk}"))
        return {"in": {param: inside.pk}, "out": {param: outside.pk}}

    return build


def _request(world: World, org: Any) -> CreditRequest:
    return CreditRequest.objects.create(
        kind="objection",
        organization=org,
        listing=listing_of(world, org),
        reasons="列入有误",
        filed_by=world.cast["org_user"],
        filed_on=dt.date(2025, 6, 2),
    )


def request_target(param: str, transition: str = "") -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        org = foreign_org(world, user)
        inside = world.once("request-in", lambda: _request(world, world.orgs["assoc"]))
        outside = world.once(("request", org.pk), lambda: _request(world, org))
        extra = {"transition": transition} if transition else {}
        return {"in": {param: inside.pk, **extra}, "out": {param: outside.pk, **extra}}

    return build


def rule_target(param: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        pk = CreditRule.objects.get(code="large_fine").pk
        return {"in": {param: pk}, "out": {param: pk}}

    return build


def barred_target(param: str) -> Any:
    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        barred = world.once(
            "barred",
            lambda: BarredPerson.objects.create(
                id_number=VALID_ID,
                name="王某",
                reason="矩阵",
                legal_basis="",
                barred_from=dt.date(2025, 1, 1),
            ),
        )
        return {"in": {param: barred.pk}, "out": {param: barred.pk}}

    return build


def org_for(world: World, user: str, scope: str) -> Any:
    return world.orgs["assoc"] if scope == "in" else foreign_org(world, user)


def fact_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "kind": "warning",
        "arose_on": "2025-06-01",
        "reference": f"矩阵{user}{scope}",
        "summary": "警告",
        "legal_basis": "",
        "amount": "",
    }


def fact_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "organization_id": org_for(world, user, scope).pk,
        "kind": "warning",
        "arose_on": "2025-06-01",
        "reference": f"矩阵{user}{scope}",
        "summary": "警告",
    }


def contact_json(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "organization_id": org_for(world, user, scope).pk,
        "method": "phone",
        "sent_on": "2025-06-01",
        "signed": True,
    }


def request_json(world: World, user: str, scope: str) -> dict[str, Any]:
    listing = listing_of(world, org_for(world, user, scope))
    return {"listing_id": listing.pk, "kind": "objection", "reasons": "列入有误"}


def barred_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {
        "name": "李某",
        "id_number": VALID_ID,
        "reason": "矩阵测试",
        "legal_basis": "",
        "barred_from": "2025-01-01",
        "barred_until": "",
    }


def barred_json(world: World, user: str, scope: str) -> dict[str, Any]:
    body = barred_body(world, user, scope)
    body.pop("barred_until")
    return body


POLICY: dict[str, Rule] = {
    # --- staff pages ---
    "credit:listing-list": Rule(LISTERS, query={"credit_list": "abnormal"}),
    "credit:my-credit": Rule(frozenset({"org_user", "org_user_out"})),
    "credit:organization-credit": Rule(SEES_ASSOC, target=assoc("org_id")),
    "credit:fact-create": Rule(
        BUREAU, target=assoc("org_id"), methods=("GET", "POST"), body=fact_form
    ),
    "credit:contact-create": Rule(
        BUREAU,
        target=assoc("org_id"),
        methods=("GET", "POST"),
        body=lambda w, u, s: {"method": "phone", "sent_on": "2025-06-01", "signed": "on"},
    ),
    "credit:request-create": Rule(
        OWNER,
        target=listing_target("listing_id"),
        methods=("GET", "POST"),
        allow_out=frozenset(),
        body=lambda w, u, s: {"kind": "objection", "reasons": "列入有误"},
    ),
    "credit:listing-print": Rule(SEES_ASSOC, target=listing_target("listing_id")),
    "credit:request-list": Rule(BUREAUS_ALL),
    "credit:request-detail": Rule(SEES_ASSOC, target=request_target("pk")),
    "credit:request-print": Rule(SEES_ASSOC, target=request_target("pk")),
    "credit:request-transition": Rule(
        SEES_ASSOC,
        target=request_target("pk", "reject"),
        methods=("POST",),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"note": "矩阵测试"},
        form_denial=True,
        note="a refused move is a message on the detail page",
    ),
    "credit:rule-list": Rule(BUREAUS_ALL),
    "credit:rule-edit": Rule(
        CITY_BUREAUS,
        target=rule_target("pk"),
        allow_out=CITY_BUREAUS,
        hidden_out=False,
        methods=("GET", "POST"),
        body=lambda w, u, s: {"is_active": "on", "amount_at_least": "50000"},
    ),
    "credit:barred-list": Rule(BUREAUS_ALL),
    "credit:barred-create": Rule(BUREAUS_ALL, methods=("GET", "POST"), body=barred_body),
    "credit:barred-lift": Rule(
        BUREAUS_ALL,
        target=barred_target("pk"),
        allow_out=BUREAUS_ALL,
        hidden_out=False,
        methods=("POST",),
        body=lambda w, u, s: {"note": "矩阵测试"},
    ),
    "credit:contact-list": Rule(BUREAUS_ALL),
    "credit:late-entries": Rule(BUREAUS_ALL),
    "credit:evaluate": Rule(
        BUREAUS_ALL,
        methods=("GET", "POST"),
        body=lambda w, u, s: {"on": "2025-06-01"},
        writes=False,
        note="an evaluation with nothing due changes nothing",
    ),
    # --- API ---
    "credit_listings_list": Rule(SIGNED_IN, query={"credit_list": "abnormal"}),
    "credit_listings_detail": Rule(SEES_ASSOC, target=listing_target("listing_id")),
    "credit_organization_file": Rule(SEES_ASSOC, target=assoc("org_id")),
    "credit_organization_eligibility": Rule(
        SEES_ASSOC, target=assoc("org_id"), query={"purpose": "purchase"}
    ),
    "credit_facts_create": Rule(BUREAU, body=fact_json, scoped_body=True),
    "credit_facts_resolve": Rule(
        SEES_ASSOC,
        target=fact_target("fact_id"),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"on": "2025-06-02", "note": "已履行"},
    ),
    "credit_late_entries_list": Rule(BUREAUS_ALL),
    "credit_requests_list": Rule(SIGNED_IN),
    "credit_requests_create": Rule(OWNER, body=request_json, scoped_body=True),
    "credit_requests_transition": Rule(
        SEES_ASSOC,
        target=request_target("request_id"),
        unsafe_allow=BUREAU,
        body=lambda w, u, s: {"transition": "reject", "note": "矩阵测试"},
    ),
    "credit_rules_list": Rule(BUREAUS_ALL),
    "credit_rules_update": Rule(
        CITY_BUREAUS,
        target=rule_target("rule_id"),
        allow_out=CITY_BUREAUS,
        hidden_out=False,
        body=lambda w, u, s: {"is_active": True, "parameters": {"amount_at_least": 50000}},
    ),
    "credit_barred_list": Rule(BUREAUS_ALL),
    "credit_barred_create": Rule(BUREAUS_ALL, body=barred_json),
    "credit_barred_lift": Rule(
        BUREAUS_ALL,
        target=barred_target("barred_id"),
        allow_out=BUREAUS_ALL,
        hidden_out=False,
        body=lambda w, u, s: {"on": "2025-06-02", "note": "矩阵测试"},
    ),
    "credit_contacts_list": Rule(BUREAUS_ALL),
    "credit_contacts_create": Rule(BUREAU, body=contact_json, scoped_body=True),
    "credit_evaluate": Rule(BUREAUS_ALL, body=lambda w, u, s: {"on": "2025-06-01"}, writes=False),
    # --- public ---
    "public_credit_listings_list": Rule(PUBLIC, query={"q": "协会"}),
    "public_credit_organization_status": Rule(PUBLIC, target=assoc("org_id"), allow_out=PUBLIC),
    "portal:credit-abnormal": Rule(PUBLIC, query={"q": "协会"}),
    "portal:credit-serious": Rule(PUBLIC),
}
