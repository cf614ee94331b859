"""Pages of the registration workflow (mounted at /registration/)."""

from django.urls import path

from . import views

app_name = "registration"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path(
        "applications/<int:pk>/transition/",
        views.application_transition,
        name="application-transition",
    ),
    path(
        "applications/<int:pk>/attachments/",
        views.attachment_upload,
        name="attachment-upload",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path(
        "reviews/<int:pk>/attachments/",
        views.review_attachment_upload,
        name="review-attachment-upload",
    ),
    path("deadlines/", views.deadline_board, name="deadline-board"),
]
