"""Public portal pages of the supervision app (inside the ``portal`` namespace, under /supervision/)."""

from django.urls import path

from . import views_supervision

urlpatterns = [
    path("conclusions/", views_supervision.conclusion_list, name="supervision-conclusions"),
]
