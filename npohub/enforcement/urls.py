"""Staff pages of the enforcement app (mounted at /enforcement/)."""

from django.urls import path  # noqa: F401

app_name = "enforcement"
urlpatterns: list = []
