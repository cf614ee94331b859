from django.urls import path

from . import home, views

app_name = "dashboards"
urlpatterns = [
    path("", home.home, name="home"),
    path("regions/", views.region_dashboard, name="region"),
    path("regions/<str:code>/", views.region_dashboard, name="region"),
]
