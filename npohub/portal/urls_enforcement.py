"""Public portal pages of the enforcement app (inside the ``portal`` namespace, under /enforcement/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
