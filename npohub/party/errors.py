"""Errors of the party app (stable codes under ``party.``)."""

from __future__ import annotations

from npohub.core.errors import DomainError


class PartyRuleError(DomainError):
    """A party-building rule (§9, rules 46–47) refused the operation."""

    code = "party.rule_violated"
    http_status = 422
