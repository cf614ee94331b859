from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from npohub.credit.models import CreditFact, CreditRule
from npohub.credit.services import credit_fact_record

_refs = itertools.count(1)


def fact(org, kind: str, on: dt.date, *, amount: Decimal | int | None = None, **kw) -> CreditFact:
    return credit_fact_record(
        actor=None,
        organization=org,
        kind=kind,
        arose_on=on,
        entered_on=kw.pop("entered_on", on),
        source=kw.pop("source", "test"),
        source_ref=kw.pop("source_ref", f"test:{next(_refs)}"),
        summary=kw.pop("summary", f"{kind} {on}"),
        amount=Decimal(amount) if amount is not None else None,
        **kw,
    )


def activate(code: str) -> CreditRule:
    rule = CreditRule.objects.get(code=code)
    rule.is_active = True
    rule.save(update_fields=["is_active"])
    return rule
