from django.urls import path

from . import views, views_print

app_name = "orgs"
urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("new/", views.organization_create, name="organization-create"),
    path("<int:pk>/", views.organization_detail, name="organization-detail"),
    path("<int:pk>/print/", views_print.organization_print, name="organization-print"),
    path("<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("<int:pk>/status/", views.organization_status, name="organization-status"),
]
