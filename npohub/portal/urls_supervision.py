"""Public portal pages of the supervision app (inside the ``portal`` namespace, under /supervision/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
