"""The /api/v1/ mount: one NinjaAPI, one router per domain, one error envelope."""

from __future__ import annotations

from . import errors
from .auth import staff_auth
from .openapi import DocumentedAPI

api = DocumentedAPI(
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

from .account.endpoints import router as account_router  # noqa: E402
from .credit.endpoints import router as credit_router  # noqa: E402
from .enforcement.endpoints import router as enforcement_router  # noqa: E402
from .exports.endpoints import router as exports_router  # noqa: E402
from .hubs.endpoints import router as hubs_router  # noqa: E402
from .imports.endpoints import router as imports_router  # noqa: E402
from .inspections.endpoints import router as inspections_router  # noqa: E402
from .notifications.endpoints import router as notifications_router  # noqa: E402
from .orgs.endpoints import router as orgs_router  # noqa: E402
from .party.endpoints import router as party_router  # noqa: E402
from .ratings.endpoints import router as ratings_router  # noqa: E402
from .regions.endpoints import router as regions_router  # noqa: E402
from .registration.endpoints import router as registration_router  # noqa: E402
from .registration_filing.endpoints import router as community_router  # noqa: E402
from .stars.endpoints import router as stars_router  # noqa: E402
from .supervision.endpoints import router as supervision_router  # noqa: E402

api.add_router("/organizations", orgs_router)
api.add_router("/regions", regions_router)
api.add_router("/imports", imports_router)
api.add_router("/exports", exports_router)
api.add_router("/notifications", notifications_router)
api.add_router("/registration", registration_router)
api.add_router("/community", community_router)
api.add_router("/credit", credit_router)
api.add_router("/supervision", supervision_router)
api.add_router("/inspections", inspections_router)
api.add_router("/enforcement", enforcement_router)
api.add_router("/hubs", hubs_router)
api.add_router("/party", party_router)
api.add_router("/ratings", ratings_router)
api.add_router("/stars", stars_router)
api.add_router("/me", account_router)

from .credit.public import router as public_credit_router  # noqa: E402
from .enforcement.public import router as public_enforcement_router  # noqa: E402
from .hubs.public import router as public_hubs_router  # noqa: E402
from .inspections.public import router as public_inspections_router  # noqa: E402
from .party.public import router as public_party_router  # noqa: E402
from .public.endpoints import router as public_router  # noqa: E402
from .ratings.public import router as public_ratings_router  # noqa: E402
from .stars.public import router as public_stars_router  # noqa: E402
from .supervision.public import router as public_supervision_router  # noqa: E402

# Each domain's public operations hang under /public/ too (one router per app, so the domains
# never edit one shared module).
public_router.add_router("/credit", public_credit_router)
public_router.add_router("/supervision", public_supervision_router)
public_router.add_router("/inspections", public_inspections_router)
public_router.add_router("/enforcement", public_enforcement_router)
public_router.add_router("/hubs", public_hubs_router)
public_router.add_router("/party", public_party_router)
public_router.add_router("/ratings", public_ratings_router)
public_router.add_router("/stars", public_stars_router)
api.add_router("/public", public_router)
