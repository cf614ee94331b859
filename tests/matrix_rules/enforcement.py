"""Permission-matrix rules for the enforcement app (merged into tests/test_permission_matrix.py).

The world: a complaint about the association in 解放桥 (accepted, assigned to the cast's street
officer) and one about a foreign organisation; penalty cases against them in the state each
operation needs; a clean-up campaign in 历下区 (and one in 市南区) with one candidate each.
The public complaint intake is PUBLIC; its throttle is reset before each request (all the
matrix's clients share one address).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tests.matrix import PUBLIC, SIGNED_IN, Rule, World, foreign_org

BUREAU_IN = frozenset({"admin", "city", "district"})
BUREAUS = frozenset({"admin", "city", "district", "district_out", "qingdao"})
ENFORCEMENT_STAFF = BUREAUS | {"street", "street_out"}
SEES_COMPLAINT = BUREAU_IN | {"street"}


def _admin(world: World) -> Any:
    return world.cast["admin"]


def _org(world: World, user: str, scope: str) -> Any:
    return world.orgs["assoc"] if scope == "in" else foreign_org(world, user)


def _pair(make: Any) -> Any:
    """A target builder from ``make(world, org, where)`` for the in / out organisation."""

    def build(world: World, user: str) -> dict[str, dict[str, Any]]:
        inside = make(world, world.orgs["assoc"])
        outside = make(world, foreign_org(world, user))
        return {"in": inside, "out": outside}

    return build


# --- complaints --------------------------------------------------------------------------------


def _complaint(world: World, org: Any) -> Any:
    from npohub.enforcement import services

    def make() -> Any:
        c = services.complaint_submit(
            actor=None,
            client_ip="matrix",
            contact="13800000000",
            category="fees",
            description="矩阵测试：强制摊派会费且不开票据。",
            organization=org,
            channel="staff",
        )
        services.complaint_transition(actor=_admin(world), complaint=c, transition="accept")
        if org == world.orgs["assoc"]:
            services.complaint_assign(
                actor=_admin(world), complaint=c, assignee=world.cast["street"]
            )
        c.refresh_from_db()
        return c

    return world.once(("complaint", org.pk), make)


def complaint(param: str) -> Any:
    return _pair(lambda w, org: {param: _complaint(w, org).pk})


def complaint_number(world: World, user: str) -> dict[str, dict[str, Any]]:
    c = _complaint(world, world.orgs["assoc"])
    return {"in": {"number": c.number}, "out": {"number": c.number}}


def _reset_throttle() -> None:
    from npohub.enforcement.services import throttle_reset

    throttle_reset("127.0.0.1")


def public_complaint_json(world: World, user: str, scope: str) -> dict[str, Any]:
    _reset_throttle()
    return {
        "contact": "13800000000",
        "category": "fees",
        "organization_text": "某某协会",
        "description": "矩阵测试：该协会强制摊派会费。",
    }


def public_complaint_form(world: World, user: str, scope: str) -> dict[str, Any]:
    return public_complaint_json(world, user, scope)


def assignee_for(world: World, user: str, scope: str) -> Any:
    """Someone whose region covers the complaint: the street officer (in), a bureau (out)."""
    if scope == "in":
        return world.cast["street"]
    return world.cast["district_out" if user == "qingdao" else "qingdao"]


# --- cases -------------------------------------------------------------------------------------


def _case(world: World, org: Any, state: str) -> Any:
    from npohub.enforcement import services

    def make() -> Any:
        admin = _admin(world)
        today = timezone.localdate()
        if state == "filed":
            return services.case_open(actor=admin, organization=org, title="矩阵测试违规收费")
        earlier = today - dt.timedelta(days=10)
        case = services.case_open(actor=admin, organization=org, title="矩阵测试", today=earlier)
        services.case_transition(actor=admin, case=case, transition="investigate", today=earlier)
        sanction: dict[str, Any] = (
            {"kind": "suspension", "suspend_until": today + dt.timedelta(days=30)}
            if state == "suspended"
            else {
                "kind": "fine",
                "amount": Decimal("30000"),
                "fine_basis": "turnover",
                "basis_amount": Decimal("20000"),
            }
        )
        services.sanction_add(actor=admin, case=case, today=earlier, **sanction)
        services.case_transition(actor=admin, case=case, transition="notify", today=earlier)
        services.case_transition(actor=admin, case=case, transition="decide", today=today)
        return services.case_transition(actor=admin, case=case, transition="serve", today=today)

    return world.once(("case", org.pk, state), make)


def case(param: str, state: str = "filed") -> Any:
    return _pair(lambda w, org: {param: _case(w, org, state).pk})


def _sanction(world: World, org: Any) -> Any:
    from npohub.enforcement import services

    def make() -> Any:
        return services.sanction_add(
            actor=_admin(world), case=_case(world, org, "filed"), kind="warning"
        )

    return world.once(("sanction", org.pk), make)


def sanction(param: str) -> Any:
    return _pair(lambda w, org: {param: _sanction(w, org).pk})


def case_for_body(key: str) -> Any:
    def body(world: World, user: str, scope: str) -> dict[str, Any]:
        return {key: _case(world, _org(world, user, scope), "filed").pk}

    return body


def payment_body(world: World, user: str, scope: str) -> dict[str, Any]:
    return {"paid_on": timezone.localdate().isoformat(), "amount": "30000"}


# --- campaigns ---------------------------------------------------------------------------------


def _campaign(world: World, org: Any) -> Any:
    from npohub.enforcement import dormant
    from npohub.enforcement.models import DormantCandidate

    def make() -> Any:
        region = world.regions["lixia"] if org == world.orgs["assoc"] else None
        if region is None:
            from npohub.regions.models import Region

            region = Region.objects.get(code=org.address_code[:6] + "000000")
        campaign = dormant.campaign_create(actor=_admin(world), name="矩阵测试清理", region=region)
        DormantCandidate.objects.create(
            campaign=campaign, organization=org, criteria=["no_annual_report"]
        )
        return campaign

    return world.once(("campaign", org.pk), make)


def campaign(param: str) -> Any:
    return _pair(lambda w, org: {param: _campaign(w, org).pk})


def candidate(param: str) -> Any:
    return _pair(lambda w, org: {param: _campaign(w, org).candidates.get().pk})


def _today() -> str:
    return timezone.localdate().isoformat()


POLICY: dict[str, Rule] = {
    # --- public portal and API: the complaint intake and lookup (no sign-in) ---
    "portal:enforcement-complaint-create": Rule(
        PUBLIC, methods=("GET", "POST"), body=public_complaint_form
    ),
    "portal:enforcement-complaint-done": Rule(PUBLIC),
    "portal:enforcement-complaint-lookup": Rule(PUBLIC, query={"number": "TS20250101XXXXXXXX"}),
    "public_enforcement_complaints_create": Rule(PUBLIC, body=public_complaint_json),
    "public_enforcement_complaints_lookup": Rule(
        PUBLIC, target=complaint_number, allow_out=PUBLIC, note="anyone holding the number"
    ),
    # --- staff pages: complaints ---
    "enforcement:complaint-list": Rule(ENFORCEMENT_STAFF, query={"open": "on"}),
    "enforcement:complaint-detail": Rule(SEES_COMPLAINT, target=complaint("pk")),
    "enforcement:complaint-transition": Rule(
        SEES_COMPLAINT,
        target=complaint("pk"),
        methods=("POST",),
        unsafe_allow=BUREAU_IN,
        body=lambda w, u, s: {
            "transition": "transfer",
            "note": "矩阵",
            "transferred_to": "市场监管局",
        },
        note="the assigned street officer sees it but may not transfer it (403)",
    ),
    "enforcement:complaint-assign": Rule(
        SEES_COMPLAINT,
        target=complaint("pk"),
        methods=("POST",),
        unsafe_allow=BUREAU_IN,
        body=lambda w, u, s: {"assignee": assignee_for(w, u, s).pk},
    ),
    "enforcement:complaint-note": Rule(
        SEES_COMPLAINT,
        target=complaint("pk"),
        methods=("POST",),
        body=lambda w, u, s: {"text": "矩阵测试核查记录"},
    ),
    "enforcement:complaint-link": Rule(
        SEES_COMPLAINT,
        target=complaint("pk"),
        methods=("POST",),
        unsafe_allow=BUREAU_IN,
        body=case_for_body("case"),
        note="the street officer cannot see the case: 404 (a case id it may not see)",
    ),
    # --- staff pages: cases ---
    "enforcement:case-list": Rule(BUREAUS, query={"open": "on"}),
    "enforcement:case-create": Rule(
        BUREAUS,
        methods=("GET", "POST"),
        unsafe_allow=BUREAU_IN,
        body=lambda w, u, s: {"organization": w.orgs["assoc"].pk, "title": "矩阵测试立案"},
        form_denial=True,
        note="a bureau without the organisation gets the organisation search again",
    ),
    "enforcement:case-propose": Rule(
        BUREAUS, methods=("POST",), writes=False, note="detection: may find nothing new"
    ),
    "enforcement:case-detail": Rule(BUREAU_IN, target=case("pk")),
    "enforcement:case-print": Rule(BUREAU_IN, target=case("pk")),
    "enforcement:case-transition": Rule(
        BUREAU_IN,
        target=case("pk"),
        methods=("POST",),
        body=lambda w, u, s: {"transition": "investigate"},
    ),
    "enforcement:sanction-add": Rule(
        BUREAU_IN, target=case("pk"), methods=("POST",), body=lambda w, u, s: {"kind": "warning"}
    ),
    "enforcement:sanction-remove": Rule(BUREAU_IN, target=sanction("pk"), methods=("POST",)),
    "enforcement:case-payment": Rule(
        BUREAU_IN, target=case("pk", "fined"), methods=("POST",), body=payment_body
    ),
    "enforcement:case-lift": Rule(BUREAU_IN, target=case("pk", "suspended"), methods=("POST",)),
    # --- staff pages: campaigns and statistics ---
    "enforcement:campaign-list": Rule(BUREAUS),
    "enforcement:campaign-create": Rule(
        BUREAUS,
        methods=("GET", "POST"),
        unsafe_allow=BUREAU_IN,
        body=lambda w, u, s: {"name": "矩阵测试清理", "region": "370102"},
        form_denial=True,
        note="a bureau outside 历下区 gets the form back with the refusal",
    ),
    "enforcement:campaign-detail": Rule(BUREAU_IN, target=campaign("pk")),
    "enforcement:campaign-scan": Rule(BUREAU_IN, target=campaign("pk"), methods=("POST",)),
    "enforcement:campaign-close": Rule(BUREAU_IN, target=campaign("pk"), methods=("POST",)),
    "enforcement:candidate-contact": Rule(
        BUREAU_IN,
        target=candidate("pk"),
        methods=("POST",),
        body=lambda w, u, s: {"sent_on": _today()},
    ),
    "enforcement:candidate-activity": Rule(
        BUREAU_IN,
        target=candidate("pk"),
        methods=("POST",),
        body=lambda w, u, s: {"occurred_on": "2024-01-01", "description": "矩阵测试活动"},
    ),
    "enforcement:candidate-outcome": Rule(
        BUREAU_IN,
        target=candidate("pk"),
        methods=("POST",),
        body=lambda w, u, s: {"outcome": "rectified", "note": "矩阵测试"},
    ),
    "enforcement:statistics": Rule(BUREAUS, query={"since": "2020-01-01"}),
    # --- API: complaints ---
    "enforcement_complaints_list": Rule(SIGNED_IN, query={"open_only": "true"}),
    "enforcement_complaints_detail": Rule(SEES_COMPLAINT, target=complaint("complaint_id")),
    "enforcement_complaints_transition": Rule(
        SEES_COMPLAINT,
        target=complaint("complaint_id"),
        unsafe_allow=BUREAU_IN,
        body=lambda w, u, s: {
            "transition": "transfer",
            "note": "矩阵",
            "transferred_to": "市场监管局",
        },
    ),
    "enforcement_complaints_assign": Rule(
        SEES_COMPLAINT,
        target=complaint("complaint_id"),
        unsafe_allow=BUREAU_IN,
        body=lambda w, u, s: {"assignee_id": assignee_for(w, u, s).pk},
    ),
    "enforcement_complaints_note": Rule(
        SEES_COMPLAINT, target=complaint("complaint_id"), body=lambda w, u, s: {"text": "矩阵"}
    ),
    "enforcement_complaints_link_case": Rule(
        SEES_COMPLAINT,
        target=complaint("complaint_id"),
        unsafe_allow=BUREAU_IN,
        body=case_for_body("case_id"),
        note="the street officer cannot see the case: 422, nothing changes",
    ),
    # --- API: cases ---
    "enforcement_cases_list": Rule(SIGNED_IN, query={"open_only": "true"}),
    "enforcement_cases_create": Rule(
        BUREAU_IN,
        body=lambda w, u, s: {"organization_id": w.orgs["assoc"].pk, "title": "矩阵测试立案"},
    ),
    "enforcement_cases_propose_missing_reports": Rule(BUREAUS, writes=False),
    "enforcement_cases_detail": Rule(BUREAU_IN, target=case("case_id")),
    "enforcement_cases_transition": Rule(
        BUREAU_IN, target=case("case_id"), body=lambda w, u, s: {"transition": "investigate"}
    ),
    "enforcement_sanctions_add": Rule(
        BUREAU_IN, target=case("case_id"), body=lambda w, u, s: {"kind": "warning"}
    ),
    "enforcement_sanctions_remove": Rule(BUREAU_IN, target=sanction("sanction_id")),
    "enforcement_cases_payment": Rule(
        BUREAU_IN, target=case("case_id", "fined"), body=payment_body
    ),
    "enforcement_cases_lift_suspension": Rule(BUREAU_IN, target=case("case_id", "suspended")),
    "enforcement_workflows": Rule(SIGNED_IN, note="the workflow tables, the same for all"),
    "enforcement_penalty_types": Rule(SIGNED_IN, note="reference data"),
    # --- API: campaigns and statistics ---
    "enforcement_campaigns_list": Rule(SIGNED_IN),
    "enforcement_campaigns_create": Rule(
        BUREAU_IN, body=lambda w, u, s: {"name": "矩阵测试清理", "region_code": "370102"}
    ),
    "enforcement_campaigns_detail": Rule(BUREAU_IN, target=campaign("campaign_id")),
    "enforcement_campaigns_scan": Rule(BUREAU_IN, target=campaign("campaign_id")),
    "enforcement_campaigns_close": Rule(BUREAU_IN, target=campaign("campaign_id")),
    "enforcement_candidates_contact": Rule(
        BUREAU_IN, target=candidate("candidate_id"), body=lambda w, u, s: {"sent_on": _today()}
    ),
    "enforcement_candidates_activity": Rule(
        BUREAU_IN,
        target=candidate("candidate_id"),
        body=lambda w, u, s: {"occurred_on": "2024-01-01", "description": "矩阵测试活动"},
    ),
    "enforcement_candidates_outcome": Rule(
        BUREAU_IN,
        target=candidate("candidate_id"),
        body=lambda w, u, s: {"outcome": "rectified", "note": "矩阵测试"},
    ),
    "enforcement_statistics_closures": Rule(SIGNED_IN, query={"since": "2020-01-01"}),
}
