"""Small helpers shared by the enforcement services: who is signed in."""

from __future__ import annotations

from npohub.accounts.models import User

from ..permissions import Viewer


def _user(actor: Viewer) -> User | None:
    """The signed-in user behind ``actor`` (None for a visitor or a system run)."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None
