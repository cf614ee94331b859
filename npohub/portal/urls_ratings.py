"""Public portal pages of the ratings app (inside the ``portal`` namespace, under /ratings/)."""

from django.urls import path

from . import views_ratings

urlpatterns = [
    path("public/", views_ratings.grade_list, name="ratings-grades"),
]
