"""One JSON error envelope for the whole API: {"code", "message", "details"} with stable codes."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from npohub.core.errors import DomainError
from npohub.core.i18n import clauses

# The default message of each code, in the request's language (``str()`` when used).
ERROR_CODES = {
    "authentication_required": gettext_lazy("未登录或令牌无效"),
    "permission_denied": gettext_lazy("无权执行此操作"),
    "not_found": gettext_lazy("对象不存在"),
    "validation_failed": gettext_lazy("输入有误"),
    "conflict": gettext_lazy("与已有数据冲突"),
    "invalid_transition": gettext_lazy("当前状态不允许此操作"),
    "bad_request": gettext_lazy("请求无效"),
    "method_not_allowed": gettext_lazy("不支持此请求方法"),
    "payload_too_large": gettext_lazy("请求内容过大"),
    "value_out_of_range": gettext_lazy("输入的数值或长度超出允许范围"),
    "too_many_requests": gettext_lazy("请求过于频繁，请稍后再试"),
    "server_error": gettext_lazy("服务器内部错误，请稍后再试"),
}


class ErrorOut(Schema):
    """The one error envelope of the description: every operation's error responses name it
    (one component, so no app's copy replaces another's in the OpenAPI document)."""

    code: str
    message: str
    details: dict[str, Any] | list[Any] = {}


# The code of an error answered by status alone (no endpoint said more).
STATUS_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_failed",
    429: "too_many_requests",
}


def code_for_status(status: int) -> str:
    if status >= 500:
        return "server_error"
    return STATUS_CODES.get(status, "bad_request")


def envelope(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    return api.create_response(
        request,
        {"code": code, "message": message, "details": details if details is not None else {}},
        status=status,
    )


def _loc(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return envelope(api, request, exc.http_status, exc.code, exc.message, exc.details)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = {_loc(list(err.get("loc", []))): err.get("msg", "") for err in exc.errors}
        return envelope(
            api,
            request,
            422,
            "validation_failed",
            _("输入有误：%(errors)s")
            % {"errors": clauses(f"{k}: {v}" for k, v in details.items())},
            details,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return envelope(
            api,
            request,
            401,
            "authentication_required",
            str(ERROR_CODES["authentication_required"]),
        )

    @api.exception_handler(AuthorizationError)
    def authz_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return envelope(
            api,
            request,
            403,
            "permission_denied",
            str(exc.message) or str(ERROR_CODES["permission_denied"]),
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return envelope(api, request, 404, "not_found", str(ERROR_CODES["not_found"]))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = code_for_status(exc.status_code)
        return envelope(api, request, exc.status_code, code, str(exc.message))
