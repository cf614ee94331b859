"""Domain errors with stable, machine-readable codes.

Services raise these; the HTML views show ``message`` and the API turns them into the error
envelope ``{code, message, details}``.
"""

from __future__ import annotations

from typing import Any


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
