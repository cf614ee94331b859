"""Public portal pages of the credit app (inside the ``portal`` namespace, under /credit/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
