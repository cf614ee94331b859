from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("verify/<str:token>/", views.certificate_verify, name="certificate-verify"),
    path("announcements/", views.announcement_list, name="announcement-list"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement-detail"),
    path("credit/", include("npohub.portal.urls_credit")),
    path("supervision/", include("npohub.portal.urls_supervision")),
    path("inspections/", include("npohub.portal.urls_inspections")),
    path("enforcement/", include("npohub.portal.urls_enforcement")),
    path("hubs/", include("npohub.portal.urls_hubs")),
    path("party/", include("npohub.portal.urls_party")),
    path("ratings/", include("npohub.portal.urls_ratings")),
    path("stars/", include("npohub.portal.urls_stars")),
]
