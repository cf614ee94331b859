"""Staff pages of the ratings app (mounted at /ratings/)."""

from django.urls import path

from . import views

app_name = "ratings"
urlpatterns = [
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/committee/", views.round_committee, name="round-committee"),
    path("rounds/<int:pk>/tree/", views.round_tree, name="round-tree"),
    path("rounds/<int:pk>/apply/", views.application_create, name="application-create"),
    path("rounds/<int:pk>/<slug:transition>/", views.round_transition, name="round-transition"),
    path("indicators/<int:pk>/", views.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator-delete"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/check/", views.application_check, name="application-check"),
    path("applications/<int:pk>/panel/", views.panel_assign, name="panel-assign"),
    path(
        "applications/<int:pk>/finalise/", views.application_finalise, name="application-finalise"
    ),
    path("applications/<int:pk>/objections/", views.objection_create, name="objection-create"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection-decide"),
    path("tasks/", views.assignment_list, name="assignment-list"),
    path("tasks/<int:pk>/", views.assignment_score, name="assignment-score"),
    path("experts/", views.expert_list, name="expert-list"),
    path("experts/<int:pk>/conflicts/", views.conflict_create, name="conflict-create"),
    path("grades/", views.grade_list, name="grade-list"),
    path("grades/<int:pk>/downgrade/", views.grade_downgrade, name="grade-downgrade"),
]
