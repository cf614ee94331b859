"""Public portal pages of the inspections app (inside the ``portal`` namespace, under /inspections/; the staff pages hold the other
paths there, so the public ones live under results/)."""

from django.urls import path

from . import views_inspections as views

urlpatterns = [
    path("results/", views.plan_list, name="inspection-plan-list"),
    path("results/<int:pk>/", views.plan_results, name="inspection-plan"),
]
