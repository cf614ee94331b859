from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from npohub.api.urls import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("npohub.accounts.urls")),
    path("regions/", include("npohub.regions.urls")),
    path("orgs/imports/", include("npohub.orgs.urls_imports")),
    path("orgs/", include("npohub.orgs.urls")),
    path("dashboards/", include("npohub.dashboards.urls")),
    path("exports/", include("npohub.core.urls_exports")),
    path("notifications/", include("npohub.notifications.urls")),
    path("registration/", include("npohub.registration.urls")),
    path("community/", include("npohub.registration.urls_filing")),
    path("certificates/", include("npohub.registration.urls_certificates")),
    path("credit/", include("npohub.credit.urls")),
    path("supervision/", include("npohub.supervision.urls")),
    path("inspections/", include("npohub.inspections.urls")),
    path("enforcement/", include("npohub.enforcement.urls")),
    path("hubs/", include("npohub.hubs.urls")),
    path("party/", include("npohub.party.urls")),
    path("ratings/", include("npohub.ratings.urls")),
    path("stars/", include("npohub.stars.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("npohub.portal.urls")),
]
