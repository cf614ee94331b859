"""Pages of the registration workflow (mounted at /registration/)."""

from django.urls import path

from .views import attachments, detail, editing, lists, printing, reviews

app_name = "registration"
urlpatterns = [
    path("", lists.overview, name="overview"),
    path("applications/", lists.application_list, name="application-list"),
    path("applications/new/", editing.application_create, name="application-create"),
    path("applications/<int:pk>/", detail.application_detail, name="application-detail"),
    path("applications/<int:pk>/print/", printing.application_print, name="application-print"),
    path("applications/<int:pk>/edit/", editing.application_edit, name="application-edit"),
    path(
        "applications/<int:pk>/transition/",
        detail.application_transition,
        name="application-transition",
    ),
    path(
        "applications/<int:pk>/attachments/",
        attachments.attachment_upload,
        name="attachment-upload",
    ),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", attachments.attachment_delete, name="attachment-delete"),
    path("reviews/", reviews.review_list, name="review-list"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review-detail"),
    path(
        "reviews/<int:pk>/attachments/",
        reviews.review_attachment_upload,
        name="review-attachment-upload",
    ),
    path("deadlines/", lists.deadline_board, name="deadline-board"),
]
