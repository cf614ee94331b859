"""Public portal pages of the hubs app (inside the ``portal`` namespace, under /hubs/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
