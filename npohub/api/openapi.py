"""The API's OpenAPI document, with the error answers the framework gives on any operation.

An endpoint declares what it answers itself (``response={200: …, **ERRORS}``). Some answers
come from the layers around every endpoint, whatever the endpoint says, and are added here to
each operation they can reach, all as the one envelope (``errors.ErrorOut``):

- 422 ``validation_failed``: any operation with a parameter or a body (ninja validates them);
- 400 ``bad_request`` / ``value_out_of_range``: the same operations (a NUL character in the query
  or the JSON body, a number the database cannot hold: ``core.middleware.RequestGuardMiddleware``);
- 413 ``payload_too_large``: operations with a body;
- 401 ``authentication_required``: operations that take a bearer token (missing, unknown,
  revoked or expired);
- 403 ``permission_denied``: operations that take a bearer token and write (a read-only token,
  or a browser session without its CSRF token).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from .errors import ERROR_CODES, STATUS_CODES

ENVELOPE = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def framework_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses the layers around an operation can answer it with."""
    statuses: set[int] = set()
    has_body = "requestBody" in operation
    if has_body or operation.get("parameters"):
        statuses |= {400, 422}
    if has_body:
        statuses.add(413)
    takes_token = any("TokenAuth" in scheme for scheme in operation.get("security") or [])
    if takes_token:
        statuses.add(401)
        if method in WRITE_METHODS:
            statuses.add(403)
    return statuses


def document_framework_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Add the framework's error answers to every operation of ``document`` (in place)."""
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            declared = {int(status) for status in responses}
            for status in sorted(framework_statuses(method, operation) - declared):
                responses[status] = {
                    "description": str(ERROR_CODES[STATUS_CODES[status]]),
                    "content": ENVELOPE,
                }
    return document


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also lists the framework's error answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_framework_errors(document)
        return document
