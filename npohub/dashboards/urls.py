from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("regions/", views.region_dashboard, name="region"),
    path("regions/<str:code>/", views.region_dashboard, name="region"),
]
