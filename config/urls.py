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
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("npohub.portal.urls")),
]
