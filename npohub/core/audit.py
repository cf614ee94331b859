"""Recording audit events. Every service that writes calls :func:`audit_record` once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class OnBehalfOf:
    """The principal a delegate acts for, e.g. a hub acting for the city bureau."""

    label: str
    ref: str = ""


def actor_label_for(actor: AbstractBaseUser | AnonymousUser | None) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    full_name = getattr(actor, "display_name", "") or actor.get_username()
    return str(full_name)


def audit_record(
    *,
    actor: Any,
    kind: str,
    target: models.Model,
    payload: dict[str, Any] | None = None,
    on_behalf_of: OnBehalfOf | None = None,
    organization_id: int | None = None,
    region_code: str = "",
) -> AuditEvent:
    """Write one audit event; call inside the service's transaction."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=user,
        actor_label=actor_label_for(actor)[:150],
        on_behalf_of=on_behalf_of.label if on_behalf_of else "",
        on_behalf_of_ref=on_behalf_of.ref if on_behalf_of else "",
        kind=kind,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        organization_id=organization_id,
        region_code=region_code,
        payload=payload or {},
    )


def audit_bulk(events: list[AuditEvent]) -> None:
    """Insert many prepared audit events at once (imports)."""
    AuditEvent.objects.bulk_create(events, batch_size=2000)
