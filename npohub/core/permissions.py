"""Permission primitives: every ``can_*`` answers yes/no with a human reason.

Reasons are translated when the check runs (``deny(_("请先登录"))``), so they read in the
language of the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .errors import PermissionDenied


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str) -> Decision:
    return Decision(False, reason)


def require(decision: Decision) -> None:
    """Raise :class:`PermissionDenied` carrying the reason when the decision is a denial."""
    if not decision.allowed:
        raise PermissionDenied(decision.reason or _("无权执行此操作"))


Check = Callable[..., Decision]


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)
