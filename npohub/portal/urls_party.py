"""Public portal pages of the party app (inside the ``portal`` namespace, under /party/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
