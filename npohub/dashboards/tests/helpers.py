"""Test helpers: rollups rebuilt from the base table (factories bypass the services)."""

from __future__ import annotations

from npohub.orgs.models import Organization, OrgRollup
from npohub.orgs.services import rollup_apply


def rebuild_rollups() -> None:
    """Recount ``OrgRollup`` from scratch, the way the registry services keep it."""
    OrgRollup.objects.all().delete()
    for address_code, kind, status in Organization.objects.values_list(
        "address_code", "kind", "status"
    ):
        rollup_apply(address_code=address_code, kind=kind, status=status, delta=1)
