"""Domain errors with stable, machine-readable codes.

Services raise these; the HTML views show ``message`` and the API turns them into the error
envelope ``{code, message, details}``. ``code`` never changes; ``message`` and the texts in
``details`` are translated when raised (``gettext``), so they read in the request's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

# Short notes a service may put in ``details`` next to a full ``message`` ("必填", "已存在");
# an HTML form shows the full message beside the field instead.
TERSE_NOTES = (
    gettext_lazy("必填"),
    gettext_lazy("已存在"),
    gettext_lazy("无效"),
    gettext_lazy("不能修改"),
)


def is_terse_note(text: str) -> bool:
    """Whether a ``details`` text is one of the short notes (in any interface language)."""
    return len(text) <= 4 or text in {str(note) for note in TERSE_NOTES}


class DomainError(Exception):
    """A business rule refused the operation. ``code`` is stable and documented."""

    code: str = "domain_error"
    http_status: int = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | list[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details if details is not None else {}


class ValidationFailed(DomainError):
    """Input did not pass validation; ``details`` maps field names to messages."""

    code = "validation_failed"
    http_status = 422


class NotFound(DomainError):
    """The object does not exist or the user may not see it (the two look the same)."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    """The user may see the object but may not perform this action on it."""

    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    """The request conflicts with stored data (duplicate key, stale state)."""

    code = "conflict"
    http_status = 409


class InvalidTransition(DomainError):
    """A workflow move that the workflow table does not allow."""

    code = "invalid_transition"
    http_status = 409
