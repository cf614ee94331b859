from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="region-list"),
    path("picker/", views.picker, name="picker"),
    path("cascade/", views.cascade, name="cascade"),
    path("<str:code>/urban-rural/", views.urban_rural_correct, name="urban-rural-correct"),
]
