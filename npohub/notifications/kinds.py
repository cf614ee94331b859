"""The registry of notification kinds. Apps register theirs in ``AppConfig.ready()``.

A kind is what a user sets a preference for ("application submitted", "inspection due"). The
registry lives in memory: kinds are code, not data, and each process builds the same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # A gettext_lazy label or a plain string (what Django's own ``label=`` arguments accept).
    Label: TypeAlias = StrOrPromise
else:
    Label = str | Promise

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
CODE_MAX_LENGTH = 64


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: Label
    default_email: bool = False
    category: str = ""

    @property
    def default_channel(self) -> str:
        """The channel used while the user has not chosen one: e-mail or in-platform only."""
        return "email" if self.default_email else "in_app"


_KINDS: dict[str, NotificationKind] = {}


def register_kind(
    code: str, label: Label, *, default_email: bool = False, category: str = ""
) -> None:
    """Declare a kind (call from ``AppConfig.ready()``); ``label`` is a gettext_lazy string.

    Registering the same definition twice is harmless; two different definitions under one code
    are a configuration error.
    """
    if len(code) > CODE_MAX_LENGTH or not CODE_PATTERN.match(code):
        raise ImproperlyConfigured(
            f"Notification kind code {code!r}: use lowercase dotted names such as "
            f"'registration.submitted' (at most {CODE_MAX_LENGTH} characters)."
        )
    kind = NotificationKind(code, label, default_email=default_email, category=category)
    existing = _KINDS.get(code)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"Notification kind {code!r} is already registered differently.")
    _KINDS[code] = kind


def unregister_kind(code: str) -> None:
    """Remove a kind (for tests that register their own)."""
    _KINDS.pop(code, None)


def get_kind(code: str) -> NotificationKind | None:
    return _KINDS.get(code)


def all_kinds() -> list[NotificationKind]:
    """Every registered kind, grouped by category, in registration order within a category."""
    order = {
        category: i for i, category in enumerate(dict.fromkeys(k.category for k in _KINDS.values()))
    }
    return sorted(_KINDS.values(), key=lambda k: order[k.category])


def kind_label(code: str) -> str:
    """The label of a kind, or its code when the kind is no longer registered."""
    kind = _KINDS.get(code)
    return str(kind.label) if kind is not None else code
