"""Test helpers for hubs: recognise a hub, put members on it, make staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from npohub.hubs import services
from npohub.hubs.models import Hub, HubKind, HubMembership
from npohub.orgs.models import Organization
from npohub.regions.models import Region

DAY0 = dt.date(2024, 1, 1)


def recognise(
    actor: Any,
    org: Organization,
    *,
    kind: str = HubKind.PLATFORM,
    region: Region | None = None,
    valid_from: dt.date = DAY0,
    number: str = "济民发〔2024〕1号",
) -> Hub:
    return services.hub_recognize(
        actor=actor,
        organization=org,
        data=services.RecognitionInput(
            kind=kind,
            decision_number=number,
            decision_date=valid_from,
            valid_from=valid_from,
            region=region,
            decision_text="经研究，认定为枢纽型社会组织。",
        ),
    )


def add_member(
    actor: Any, hub: Hub, org: Organization, *, joined_on: dt.date = DAY0
) -> HubMembership:
    return services.hub_member_add(
        actor=actor,
        hub=hub,
        organization=org,
        data=services.MembershipInput(
            joined_on=joined_on,
            agreement_signed_on=joined_on,
            agreement_terms="接受枢纽初审与月度评分",
        ),
    )
