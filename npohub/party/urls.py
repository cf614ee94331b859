"""Staff pages of the party app (mounted at /party/)."""

from django.urls import path

from . import views

app_name = "party"
urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("missing/", views.missing_list, name="missing-list"),
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/new/", views.organization_create, name="organization-create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("organizations/<int:pk>/counts/", views.organization_counts, name="organization-counts"),
    path("organizations/<int:pk>/cover/", views.organization_cover, name="organization-cover"),
    path(
        "organizations/<int:pk>/dissolve/",
        views.organization_dissolve,
        name="organization-dissolve",
    ),
    path("coverages/<int:pk>/end/", views.coverage_end, name="coverage-end"),
    path("industry-committees/", views.industry_committee_list, name="industry-committee-list"),
    path("units/<int:org_id>/", views.unit_detail, name="unit-detail"),
    path("units/<int:org_id>/staff-members/", views.unit_staff_members, name="unit-staff-members"),
    path("stations/", views.station_list, name="station-list"),
    path("stations/new/", views.station_create, name="station-create"),
    path("stations/<int:pk>/", views.station_detail, name="station-detail"),
    path("stations/<int:pk>/budget/", views.station_budget, name="station-budget"),
    path("stations/<int:pk>/links/", views.station_link, name="station-link"),
    path("station-links/<int:pk>/end/", views.station_link_end, name="station-link-end"),
    path("instructors/", views.instructor_list, name="instructor-list"),
    path("instructors/new/", views.instructor_create, name="instructor-create"),
    path("instructors/<int:pk>/", views.instructor_detail, name="instructor-detail"),
    path("instructors/<int:pk>/assign/", views.instructor_assign, name="instructor-assign"),
    path("instructors/<int:pk>/end/", views.instructor_end, name="instructor-end"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
]
