"""The registration demo: applications in every state, made through the services, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from npohub.core.models import AuditEvent
from npohub.registration.models import (
    ActivityReport,
    Announcement,
    Application,
    Certificate,
    FilingDelegation,
)
from npohub.registration.workflows import STATE_LABELS


@pytest.mark.django_db
def test_the_demo_has_applications_in_every_state_and_loads_once(regions):
    call_command("load_demo", size="city", seed=1, scale=0.05)
    call_command("demo_accounts")
    call_command("demo_registration")
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(STATE_LABELS)
    kinds = set(Application.objects.values_list("kind", flat=True))
    assert {"establishment", "filing", "change", "name_approval"} <= kinds
    assert Certificate.objects.filter(voided_on__isnull=True).exists()
    assert Announcement.objects.filter(kind="establishment").exists()
    assert FilingDelegation.objects.exists() and ActivityReport.objects.exists()
    assert AuditEvent.objects.filter(kind="registration.approve").exists()
    count = Application.objects.count()
    call_command("demo_registration")
    assert Application.objects.count() == count
