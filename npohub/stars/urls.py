"""Staff pages of the stars app (mounted at /stars/)."""

from django.urls import path  # noqa: F401

app_name = "stars"
urlpatterns: list = []
