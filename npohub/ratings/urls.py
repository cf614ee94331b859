"""Staff pages of the ratings app (mounted at /ratings/)."""

from django.urls import path  # noqa: F401

app_name = "ratings"
urlpatterns: list = []
