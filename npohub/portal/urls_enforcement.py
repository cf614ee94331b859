"""Public portal pages of the enforcement app (inside the ``portal`` namespace, under /enforcement/)."""

from django.urls import path

from . import views_enforcement as views

urlpatterns = [
    path("complaints/new/", views.complaint_create, name="enforcement-complaint-create"),
    path("complaints/done/", views.complaint_done, name="enforcement-complaint-done"),
    path("complaints/lookup/", views.complaint_lookup, name="enforcement-complaint-lookup"),
]
