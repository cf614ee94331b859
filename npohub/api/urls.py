"""The /api/v1/ mount: one NinjaAPI, one router per domain, one error envelope."""

from __future__ import annotations

from ninja import NinjaAPI

from . import errors
from .auth import staff_auth

api = NinjaAPI(
    title="NPOHub API",
    version="1.0.0",
    description=(
        "社会组织登记、监管与培育平台的 REST API。认证：`Authorization: Bearer <令牌>`，或浏览器会话（需 CSRF）。"
        "错误统一为 `{code, message, details}`。"
    ),
    auth=staff_auth,
    urls_namespace="api",
)
errors.install(api)

from .imports.endpoints import router as imports_router  # noqa: E402
from .orgs.endpoints import router as orgs_router  # noqa: E402
from .regions.endpoints import router as regions_router  # noqa: E402

api.add_router("/organizations", orgs_router)
api.add_router("/regions", regions_router)
api.add_router("/imports", imports_router)

from .public.endpoints import router as public_router  # noqa: E402

api.add_router("/public", public_router)
