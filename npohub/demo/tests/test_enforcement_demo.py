"""The enforcement demo: open complaints (some overdue), three decided cases, a campaign,
organisations on both credit lists, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from npohub.credit.models import CreditFact, CreditRequest, Listing
from npohub.enforcement.models import Complaint, DormantCampaign, DormantCandidate, PenaltyCase


@pytest.mark.django_db
def test_the_enforcement_demo_loads_once(regions):
    call_command("load_demo", size="city", seed=1, scale=0.05)
    call_command("demo_accounts")
    call_command("demo_enforcement")
    today = timezone.localdate()
    assert Complaint.objects.count() == 6
    assert sorted(Complaint.objects.values_list("state", flat=True)) == sorted(
        ["accepted", "accepted", "submitted", "submitted", "replied", "transferred"]
    )
    assert sum(c.is_overdue(today) for c in Complaint.objects.all()) >= 2
    decided = PenaltyCase.objects.filter(state="decided")
    assert decided.count() == 3
    assert set(decided.values_list("organization__status", flat=True)) == {
        "active",
        "suspended",
        "revoked",
    }
    assert set(CreditFact.objects.values_list("kind", flat=True)) >= {
        "warning",
        "suspension_order",
        "registration_revoked",
    }
    campaign = DormantCampaign.objects.get()
    outcomes = set(DormantCandidate.objects.values_list("outcome", flat=True))
    assert {"rectified", "deregistered", "revoked"} <= outcomes
    assert campaign.candidates.count() >= 3
    # The credit engine ran for today: the warning and the recent unreachable organisation are
    # on the abnormal list; the revoked one, and the one unreachable for more than two years
    # (escalated from the abnormal list), are on the serious list.
    current = Listing.objects.filter(removed_on__isnull=True)
    assert sorted(current.values_list("credit_list", "rule__code")) == sorted(
        [
            ("abnormal", "light_penalty"),
            ("abnormal", "cannot_contact"),
            ("serious", "revoked"),
            ("serious", "abnormal_two_years"),
        ]
    )
    # The credit run's missing-report detector proposes nothing for years before the platform's
    # first annual report (this demo holds none at all).
    assert not PenaltyCase.objects.filter(source="missing_reports").exists()
    escalated = current.get(rule__code="abnormal_two_years")
    assert escalated.escalated_from is not None and escalated.escalated_from.removed_on
    # Listed organisations answered through their own accounts; no listing was removed.
    objections = CreditRequest.objects.filter(kind="objection")
    assert sorted(objections.values_list("state", flat=True)) == ["filed", "rejected"]
    assert all(r.listing.removed_on is None for r in CreditRequest.objects.all())
    assert all(
        r.filed_by.organization_grants.filter(organization=r.organization, reason="own").exists()
        for r in CreditRequest.objects.select_related("filed_by")
    )
    assert CreditRequest.objects.filter(kind="repair", state="rejected").count() == 1
    listings = Listing.objects.count()
    call_command("demo_enforcement")
    assert Complaint.objects.count() == 6
    assert Listing.objects.count() == listings
