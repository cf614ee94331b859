"""Staff pages of the credit app (mounted at /credit/)."""

from django.urls import path  # noqa: F401

app_name = "credit"
urlpatterns: list = []
