"""Public portal pages of the stars app (inside the ``portal`` namespace, under /stars/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
