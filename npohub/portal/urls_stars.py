"""Public portal pages of the stars app (inside the ``portal`` namespace, under /stars/public/: the
staff pages hold the other paths under /stars/)."""

from django.urls import path

from . import views_stars

urlpatterns = [
    path("public/", views_stars.star_list, name="stars-list"),
    path("public/awards/", views_stars.award_list, name="stars-awards"),
]
