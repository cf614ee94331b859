"""Public portal pages of the ratings app (inside the ``portal`` namespace, under /ratings/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
