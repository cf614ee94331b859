"""Staff pages of the stars app (mounted at /stars/)."""

from django.urls import path

from . import views, views_templates

app_name = "stars"
urlpatterns = [
    path("scoring/", views.scoring, name="scoring"),
    path("scoring/<int:hub_pk>/<int:org_id>/", views.scoring_save, name="scoring-save"),
    path("scorecards/", views.scorecard_list, name="scorecard-list"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard-detail"),
    path("mine/", views.my_scorecards, name="my-scorecards"),
    path("lines/<int:line_pk>/appeal/", views.appeal_create, name="appeal-create"),
    path("appeals/", views.appeal_list, name="appeal-list"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal-detail"),
    path("appeals/<int:pk>/<slug:transition>/", views.appeal_transition, name="appeal-transition"),
    path("interviews/", views.interview_list, name="interview-list"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview-detail"),
    path("interviews/<int:pk>/record/", views.interview_record, name="interview-record"),
    path("interviews/<int:pk>/resolve/", views.interview_resolve, name="interview-resolve"),
    path("ratings/", views.star_list, name="star-list"),
    path("ratings/publish/", views.star_publish, name="star-publish"),
    path("ratings/assess/<int:org_id>/", views.star_assess, name="star-assess"),
    path("awards/", views.award_list, name="award-list"),
    path("awards/new/", views.award_create, name="award-create"),
    path("awards/<int:pk>/", views.award_detail, name="award-detail"),
    path("awards/<int:pk>/nominate/", views.nomination_create, name="nomination-create"),
    path("awards/<int:pk>/<slug:transition>/", views.award_transition, name="award-transition"),
    path("nominations/<int:pk>/vote/", views.vote, name="vote"),
    path("templates/", views_templates.template_list, name="template-list"),
    path("templates/new/", views_templates.template_create, name="template-create"),
    path(
        "templates/<int:pk>/activate/",
        views_templates.template_activate,
        name="template-activate",
    ),
    path("templates/<int:pk>/retire/", views_templates.template_retire, name="template-retire"),
]
