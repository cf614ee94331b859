"""Staff pages of the party app (mounted at /party/)."""

from django.urls import path  # noqa: F401

app_name = "party"
urlpatterns: list = []
