"""The only writers of OrganizationAccess: audited grants, ends and syncs."""

from __future__ import annotations

import pytest

from npohub.accounts.models import Role
from npohub.core.models import AuditEvent
from npohub.orgs.access import access_end, access_grant, organization_account_grant
from npohub.orgs.models import AccessReason, OrganizationAccess
from npohub.orgs.scope import scope_of

pytestmark = pytest.mark.django_db


def test_a_grant_is_audited_and_granting_twice_opens_nothing(cast, orgs):
    org = orgs["far"]
    grant, opened = access_grant(
        actor=cast["city"], user=cast["reviewer"], organization=org, reason=AccessReason.SUPERVISED
    )
    assert opened and scope_of(cast["reviewer"]).is_granted(org.pk)
    again, opened_again = access_grant(
        actor=cast["city"], user=cast["reviewer"], organization=org, reason=AccessReason.SUPERVISED
    )
    assert again.pk == grant.pk and not opened_again
    assert AuditEvent.objects.filter(kind="orgs.access_granted").count() == 1


def test_ending_a_grant_removes_access_from_tomorrow_and_is_audited(cast, orgs):
    org = orgs["assoc"]
    assert access_end(actor=cast["city"], user=cast["hub"], organization=org, reason="hub_member")
    assert not scope_of(cast["hub"]).is_granted(org.pk)
    assert AuditEvent.objects.filter(kind="orgs.access_ended").count() == 1
    assert (
        access_end(actor=cast["city"], user=cast["hub"], organization=org, reason="hub_member")
        is None
    )


def test_a_founding_resident_becomes_the_organisation_account_with_the_change_recorded(cast, orgs):
    resident = cast["resident"]
    organization_account_grant(actor=cast["district"], user=resident, organization=orgs["far"])
    resident.refresh_from_db()
    assert resident.role == Role.ORG_USER
    assert OrganizationAccess.objects.get(user=resident).can_edit
    change = AuditEvent.objects.get(kind="accounts.role_changed")
    assert change.payload["from"] == Role.RESIDENT and change.actor == cast["district"]


def test_no_module_outside_orgs_access_writes_organisation_access_rows():
    """Grants are written only by the audited services of ``orgs.access`` (demo data too)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writes = re.compile(
        r"OrganizationAccess(\.objects\.(create|bulk_create|get_or_create|update_or_create)"
        r"|\.objects\.filter\([^)]*\)\.(delete|update)|\()"
    )
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path.relative_to(root).as_posix() not in ("orgs/access.py", "orgs/models.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writes.search(line)
    ]
    assert offenders == []
