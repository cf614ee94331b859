"""The listing engine: applies the active ``CreditRule`` rows to credit facts, date by date.

Every decision is dated by the data, never by the day the engine happens to run: a listing
starts on the day its triggering fact arose, escalation happens on the anniversary of the
clock start, automatic removal on the day it falls due. So evaluating days in order, or a past
day again, decides the same things, and ``selectors.listings_as_of`` answers for any date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from npohub.accounts.models import User
from npohub.core.audit import actor_label_for, audit_record
from npohub.orgs.models import Organization, Status

from . import registry
from .models import (
    CreditFact,
    CreditList,
    CreditRule,
    Listing,
    ListingEvent,
    ListingEventKind,
    RuleTrigger,
)
from .notices import notify_organization
from .policy import add_months, add_years, policy_for


@dataclass
class EvaluationResult:
    on: dt.date
    detected: int = 0
    facts_processed: int = 0
    listed: int = 0
    clock_restarted: int = 0
    escalated: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["on"] = self.on.isoformat()
        return data


def _user(actor: User | None) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _label(actor: User | None) -> str:
    user = _user(actor)
    return "系统" if user is None else actor_label_for(user)


def rule_in_force(rule: CreditRule, on: dt.date) -> bool:
    if rule.effective_from and on < rule.effective_from:
        return False
    return not (rule.effective_until and on > rule.effective_until)


def _amount_ok(rule: CreditRule, fact: CreditFact) -> bool:
    params = rule.parameters or {}
    below = params.get("amount_below")
    if below is not None and fact.amount is not None and fact.amount >= Decimal(str(below)):
        return False
    at_least = params.get("amount_at_least")
    return at_least is None or (fact.amount is not None and fact.amount >= Decimal(str(at_least)))


def rule_matches(rule: CreditRule, fact: CreditFact, history: list[CreditFact]) -> bool:
    """Whether the rule lists on this fact (kind, amount band, count within a window)."""
    if rule.trigger != RuleTrigger.FACT or fact.kind not in (rule.fact_kinds or []):
        return False
    if not rule_in_force(rule, fact.arose_on) or not _amount_ok(rule, fact):
        return False
    params = rule.parameters or {}
    if "min_count" in params:
        start = add_years(fact.arose_on, -int(params.get("window_years", 3)))
        count = sum(
            1
            for other in history
            if other.kind in rule.fact_kinds
            and start < other.arose_on <= fact.arose_on
            and _amount_ok(rule, other)
        )
        return count >= int(params["min_count"])
    return True


def needs_rectification(fact: CreditFact, policy: dict[str, Any]) -> bool:
    return fact.kind not in policy["nothing_to_rectify_kinds"]


def compute_next_action(
    listing: Listing, facts: list[CreditFact], rules: list[CreditRule], policy: dict[str, Any]
) -> dt.date | None:
    """The next day the engine acts on an open listing by date alone."""
    if listing.removed_on is not None:
        return None
    candidates: list[dt.date] = []
    if listing.removal_due_on:
        candidates.append(listing.removal_due_on)
    if listing.credit_list == CreditList.ABNORMAL:
        escalation = _escalation_rule(rules)
        if escalation is not None:
            years = int((escalation.parameters or {}).get("years", policy["escalation_years"]))
            candidates.append(add_years(listing.clock_started_on, years))
        if facts and not any(needs_rectification(f, policy) for f in facts):
            candidates.append(
                add_months(listing.clock_started_on, policy["abnormal_auto_removal_months"])
            )
    return min(candidates) if candidates else None


def _escalation_rule(rules: list[CreditRule]) -> CreditRule | None:
    return next((r for r in rules if r.trigger == RuleTrigger.ESCALATION), None)


class _OrgRun:
    """The evaluation of one organisation up to one date (inside one transaction)."""

    def __init__(
        self,
        org: Organization,
        on: dt.date,
        rules: list[CreditRule],
        actor: User | None,
        result: Any,
    ) -> None:
        self.org, self.on, self.rules, self.actor, self.result = org, on, rules, actor, result
        self.policy = policy_for(org.address_code)
        self.open: dict[str, Listing] = {
            listing.credit_list: listing
            for listing in Listing.objects.select_related("rule")
            .prefetch_related("facts")
            .filter(organization=org, removed_on__isnull=True)
        }
        self.history = list(CreditFact.objects.filter(organization=org, arose_on__lte=on))

    # --- events -------------------------------------------------------------------------
    def _event(
        self, listing: Listing, kind: str, on: dt.date, note: str = "", fact: Any = None
    ) -> None:
        ListingEvent.objects.create(
            listing=listing,
            kind=kind,
            on=on,
            note=note[:500],
            fact=fact,
            actor=_user(self.actor),
            actor_label=_label(self.actor),
        )
        audit_record(
            actor=self.actor,
            kind=f"credit.listing_{kind}",
            target=listing,
            payload={"list": listing.credit_list, "on": on.isoformat(), "note": note},
            organization_id=self.org.pk,
            region_code=self.org.address_code,
        )

    def _refresh_next(self, listing: Listing, facts: list[CreditFact] | None = None) -> None:
        if facts is None:
            facts = list(listing.facts.all())
        listing.next_action_on = compute_next_action(listing, facts, self.rules, self.policy)
        listing.save(update_fields=["next_action_on", "clock_started_on", "removal_due_on"])

    def _create(
        self, rule: CreditRule, on: dt.date, facts: list[CreditFact], reason: str
    ) -> Listing:
        listing = Listing.objects.create(
            organization=self.org,
            credit_list=rule.credit_list,
            rule=rule,
            reason=reason[:500],
            legal_basis=rule.legal_basis,
            listed_on=on,
            clock_started_on=on,
            decided_by=_user(self.actor),
            decided_by_label=_label(self.actor),
        )
        listing.facts.add(*facts)
        self._refresh_next(listing, facts)
        self.open[listing.credit_list] = listing
        self._event(listing, ListingEventKind.LISTED, on, reason, facts[0] if facts else None)
        self.result.listed += 1
        notify_organization(
            self.org,
            kind="credit.listed",
            title=_("%(org)s被列入%(list)s")
            % {"org": self.org.name, "list": rule.get_credit_list_display()},
            body=reason,
        )
        return listing

    def _remove(self, listing: Listing, on: dt.date, reason: str, kind: str) -> None:
        listing.removed_on = on
        listing.removal_reason = reason[:500]
        listing.next_action_on = None
        listing.save(update_fields=["removed_on", "removal_reason", "next_action_on"])
        self.open.pop(listing.credit_list, None)
        self._event(listing, kind, on, reason)
        if kind == ListingEventKind.REMOVED:
            self.result.removed += 1
            notify_organization(
                self.org,
                kind="credit.removed",
                title=_("%(org)s已移出%(list)s")
                % {"org": self.org.name, "list": listing.get_credit_list_display()},
                body=reason,
            )

    # --- steps --------------------------------------------------------------------------
    def next_due(self) -> tuple[dt.date, Listing] | None:
        due = [
            (listing.next_action_on, listing)
            for listing in self.open.values()
            if listing.next_action_on is not None and listing.next_action_on <= self.on
        ]
        return min(due, key=lambda item: (item[0], item[1].pk)) if due else None

    def apply_due(self, day: dt.date, listing: Listing) -> None:
        facts = list(listing.facts.all())
        if listing.removal_due_on and listing.removal_due_on <= day:
            self._remove(
                listing, day, _("核实已履行义务或完成整改，移出名单"), ListingEventKind.REMOVED
            )
            return
        months = self.policy["abnormal_auto_removal_months"]
        auto = add_months(listing.clock_started_on, months)
        if day == auto and not any(needs_rectification(f, self.policy) for f in facts):
            self._remove(
                listing,
                day,
                _("列入满%(months)s个月且无需整改，自动移出") % {"months": months},
                ListingEventKind.REMOVED,
            )
            return
        rule = _escalation_rule(self.rules)
        if rule is None:  # pragma: no cover - next_action_on only set when the rule is active
            return
        self._remove(
            listing,
            day,
            _("列入活动异常名录届满，转入严重违法失信名单"),
            ListingEventKind.ESCALATED,
        )
        self.result.escalated += 1
        serious = self.open.get(CreditList.SERIOUS)
        if serious is None:
            serious = self._create(rule, day, facts, f"{rule.name}（{listing.reason}）")
            serious.escalated_from = listing
            serious.save(update_fields=["escalated_from"])
        else:
            serious.facts.add(*facts)

    def apply_fact(self, fact: CreditFact) -> None:
        matched = [r for r in self.rules if rule_matches(r, fact, self.history)]
        serious = [r for r in matched if r.credit_list == CreditList.SERIOUS]
        abnormal = [r for r in matched if r.credit_list == CreditList.ABNORMAL]
        if matched:
            for listing in list(self.open.values()):
                if fact.arose_on >= listing.clock_started_on:
                    listing.clock_started_on = fact.arose_on
                listing.facts.add(fact)
                self._refresh_next(listing)
                self._event(
                    listing,
                    ListingEventKind.CLOCK_RESTARTED,
                    fact.arose_on,
                    f"{matched[0].name}：{fact.summary}",
                    fact,
                )
                self.result.clock_restarted += 1
            if serious and CreditList.SERIOUS not in self.open:
                self._create(
                    serious[0], fact.arose_on, [fact], f"{serious[0].name}：{fact.summary}"
                )
            elif abnormal and not serious and not self.open:
                self._create(
                    abnormal[0], fact.arose_on, [fact], f"{abnormal[0].name}：{fact.summary}"
                )
        fact.processed_on = self.on
        fact.save(update_fields=["processed_on"])
        self.result.facts_processed += 1

    def apply_deregistration(self) -> None:
        if self.org.status != Status.DEREGISTERED or self.org.status_changed_on is None:
            return
        day = self.org.status_changed_on
        listing = self.open.get(CreditList.SERIOUS)
        kinds = set(self.policy["removal_on_deregistration_kinds"])
        if listing is None or day > self.on or not kinds & set(listing.rule.fact_kinds or []):
            return
        self._remove(
            listing,
            max(day, listing.listed_on),
            _("已办理注销登记，移出名单"),
            ListingEventKind.REMOVED,
        )

    def run(self) -> None:
        """Apply the unprocessed facts (and what falls due between them) in date order."""
        pending = sorted(
            (fact for fact in self.history if fact.processed_on is None),
            key=lambda fact: (fact.arose_on, fact.pk),
        )
        while True:
            due = self.next_due()
            fact = pending[0] if pending else None
            if due is not None and (fact is None or due[0] <= fact.arose_on):
                self.apply_due(*due)
            elif fact is not None:
                self.apply_fact(pending.pop(0))
            else:
                break
        self.apply_deregistration()


def _organizations_to_evaluate(on: dt.date) -> list[int]:
    ids = set(
        CreditFact.objects.filter(processed_on__isnull=True, arose_on__lte=on).values_list(
            "organization_id", flat=True
        )
    )
    ids |= set(
        Listing.objects.filter(removed_on__isnull=True)
        .filter(
            Q(next_action_on__lte=on)
            | Q(
                credit_list=CreditList.SERIOUS,
                organization__status=Status.DEREGISTERED,
                organization__status_changed_on__lte=on,
            )
        )
        .values_list("organization_id", flat=True)
    )
    return sorted(ids)


def credit_evaluate(*, on: dt.date, actor: User | None = None) -> EvaluationResult:
    """Run every detector for ``on``, then list, restart, escalate and remove as the rules say."""
    result = EvaluationResult(on=on)
    for _name, detector in registry.detectors():
        result.detected += int(detector(on, actor) or 0)
    rules = list(CreditRule.objects.filter(is_active=True).order_by("credit_list", "sort_order"))
    for org_id in _organizations_to_evaluate(on):
        with transaction.atomic():
            org = Organization.objects.select_for_update().get(pk=org_id)
            _OrgRun(org, on, rules, actor, result).run()
    return result
