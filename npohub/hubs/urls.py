"""Staff pages of the hubs app (mounted at /hubs/)."""

from django.urls import path  # noqa: F401

app_name = "hubs"
urlpatterns: list = []
