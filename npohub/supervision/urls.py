"""Staff pages of the supervision app (mounted at /supervision/)."""

from django.urls import path

from . import views, views_print

app_name = "supervision"
urlpatterns = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/new/", views.report_create, name="report-create"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/sections/<slug:section>/", views.report_section, name="report-section"),
    path(
        "reports/<int:pk>/sections/<slug:section>/check/",
        views.report_section_check,
        name="report-section-check",
    ),
    path("reports/<int:pk>/print/", views_print.report_print, name="report-print"),
    path("reports/<int:pk>/transition/", views.report_transition, name="report-transition"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("reports/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
    path("calendar/", views.report_calendar, name="calendar"),
    path("dashboard/", views.report_dashboard, name="dashboard"),
    path("missing/", views.report_missing, name="missing"),
]
