"""The annual-report demo: every state, conclusions, late reports, made once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from npohub.core.models import AuditEvent
from npohub.supervision.models import AnnualReport
from npohub.supervision.workflows import STATE_LABELS


@pytest.mark.django_db
def test_the_demo_has_reports_in_every_state_some_late_and_loads_once(regions):
    call_command("load_demo", size="city", seed=1, scale=0.05)
    call_command("demo_accounts")
    call_command("demo_supervision")
    assert set(AnnualReport.objects.values_list("state", flat=True)) == set(STATE_LABELS)
    assert set(
        AnnualReport.objects.exclude(conclusion="").values_list("conclusion", flat=True)
    ) == {"pass", "basic_pass", "fail"}
    late = [
        r
        for r in AnnualReport.objects.exclude(bureau_received_on=None)
        if r.bureau_received_on > r.bureau_deadline
    ]
    assert late
    assert AuditEvent.objects.filter(kind="supervision.report_conclude").exists()
    count = AnnualReport.objects.count()
    call_command("demo_supervision")
    assert AnnualReport.objects.count() == count


@pytest.mark.django_db
def test_the_demo_reports_carry_the_registrys_supervisory_unit(orgs):
    """Issue 13: the demo's report content kept no 业务主管单位, so pages showed "—"."""
    from npohub.demo.supervision_demo import content

    assert content(orgs["assoc"], 3)["basic"]["supervisory_unit"] == orgs["assoc"].supervisory_unit
