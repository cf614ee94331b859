"""What every print page (``templates/print_base.html``) needs besides its record."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def authority_name(region_name: str) -> str:
    """The issuing authority of a region's registrations: 历下区 → 历下区民政局."""
    name = (region_name or "").strip()
    if not name:
        return "民政局"
    return name if name.endswith("民政局") else f"{name}民政局"


def print_context(*, authority: str, back_url: str, **extra: Any) -> dict[str, Any]:
    """The print page's header (the issuing authority), its way back and the print date."""
    return {
        "authority": authority,
        "back_url": back_url,
        "printed_on": timezone.localdate(),
        **extra,
    }
