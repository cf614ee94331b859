"""The credit engine's "no required Party organisation" trigger (rule 29, rule 46).

``PartyConfig.ready`` registers :func:`detect_party_org_missing` as the credit detector
``party_org_missing``. The daily credit evaluation calls it with a date; it records one credit
fact per 应建未建 organisation (source_ref ``party:missing:<org pk>:<since>``, so running it
again records nothing new, and a unit that falls back into 应建未建 later gets a new fact) and
resolves the open facts of units that now have their own party organisation (or no longer
reach the threshold). Forming an own party organisation also resolves the unit's open fact at
once, after the forming transaction commits (:func:`resolve_missing`).

The credit services are looked up when the hook runs, not when it is registered: if
``credit_fact_record`` is not there (an older credit app), the detector records nothing and
returns 0, and starts recording as soon as it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from npohub.core.templatetags.npohub import cn_date

if TYPE_CHECKING:
    from npohub.accounts.models import User

logger = logging.getLogger(__name__)

FACT_KIND = "party_org_missing"
SOURCE = "party"
LEGAL_BASIS = "《社会组织信用信息管理办法》；《中国共产党支部工作条例（试行）》第四条"


def source_ref(org_id: int, since: dt.date) -> str:
    return f"party:missing:{org_id}:{since.isoformat()}"


def _credit() -> Any:
    try:
        from npohub.credit import services
    except ImportError:  # pragma: no cover - the credit app predates its services module
        return None
    return services


def detect_party_org_missing(on: dt.date, actor: User | None) -> int:
    """Record a credit fact for every 应建未建 organisation on ``on``; resolve the facts of
    units that are no longer 应建未建. Returns the number of facts recorded (new or kept)."""
    from npohub.orgs.models import Organization

    from .selectors import missing_party_organizations

    credit = _credit()
    record = getattr(credit, "credit_fact_record", None)
    if record is None:
        return 0
    rows = missing_party_organizations(on)
    orgs = Organization.objects.in_bulk([r.organization_id for r in rows])
    for row in rows:
        record(
            actor=actor,
            organization=orgs[row.organization_id],
            kind=FACT_KIND,
            arose_on=min(row.since, on),
            source=SOURCE,
            source_ref=source_ref(row.organization_id, row.since),
            summary=_("从业人员中有正式党员%(count)s名（%(date)s报告），未建立本单位党组织")
            % {"count": row.formal_members, "date": cn_date(row.reported_on)},
            legal_basis=LEGAL_BASIS,
            evidence={"formal_members": row.formal_members, "reported_on": str(row.reported_on)},
        )
    still_missing = {r.organization_id for r in rows}
    _resolve(actor, on, exclude=still_missing)
    return len(rows)


def _open_facts(org_ids: Iterable[int] | None = None) -> Any:
    try:
        from npohub.credit.models import CreditFact
    except ImportError:  # pragma: no cover
        return None
    qs = CreditFact.objects.filter(kind=FACT_KIND, source=SOURCE, resolved_on__isnull=True)
    if org_ids is not None:
        qs = qs.filter(organization_id__in=list(org_ids))
    return qs.select_related("organization")


def _resolve(
    actor: User | None,
    on: dt.date,
    *,
    org_ids: Iterable[int] | None = None,
    exclude: frozenset[int] | set[int] = frozenset(),
) -> int:
    from .selectors import missing_party_organizations

    credit = _credit()
    resolve = getattr(credit, "credit_fact_resolve", None)
    facts = _open_facts(org_ids)
    if resolve is None or facts is None:
        return 0
    candidates = [f for f in facts if f.organization_id not in exclude]
    if not candidates:
        return 0
    missing = {
        r.organization_id
        for r in missing_party_organizations(on, org_ids=[f.organization_id for f in candidates])
    }
    done = 0
    for fact in candidates:
        if fact.organization_id in missing:
            continue
        resolve(
            actor=actor,
            fact=fact,
            on=max(on, fact.arose_on),
            note=str(_("已建立本单位党组织或不再符合应建条件")),
        )
        done += 1
    return done


def resolve_missing(org_ids: list[int], on: dt.date, actor: User | None = None) -> int:
    """Resolve the open 应建未建 facts of these units if they are no longer 应建未建 on ``on``.

    Runs after the forming transaction has committed: a refusal from the credit app is logged,
    not raised (the daily detector resolves the fact on its next run)."""
    from npohub.core.errors import DomainError

    try:
        return _resolve(actor, on, org_ids=org_ids)
    except DomainError:
        logger.exception("party: could not resolve the 应建未建 credit facts of %s", org_ids)
        return 0


def register() -> None:
    from npohub.credit.registry import register_detector

    register_detector(FACT_KIND, detect_party_org_missing)
