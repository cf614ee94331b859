"""Public portal pages of the inspections app (inside the ``portal`` namespace, under /inspections/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
