from django.urls import path

from . import views_imports as views

app_name = "imports"
urlpatterns = [
    path("", views.import_home, name="home"),
    path("template/<str:kind>.xlsx", views.import_template, name="template"),
    path("upload/", views.import_upload, name="upload"),
    path("<int:pk>/", views.import_job, name="job"),
    path("<int:pk>/commit/", views.import_commit, name="commit"),
    path("<int:pk>/retry/", views.import_retry_view, name="retry"),
    path("export/", views.organization_export, name="export"),
]
