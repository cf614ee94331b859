from django.urls import path

from . import views_exports as views

app_name = "exports"

urlpatterns = [
    path("", views.export_list, name="list"),
    path("start/<str:key>/", views.export_begin, name="start"),
    path("<int:pk>/", views.export_detail, name="detail"),
    path("<int:pk>/download/", views.export_download, name="download"),
]
