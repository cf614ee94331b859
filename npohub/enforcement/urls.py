"""Staff pages of the enforcement app (mounted at /enforcement/)."""

from django.urls import path

from . import views, views_print

app_name = "enforcement"
urlpatterns = [
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint-detail"),
    path(
        "complaints/<int:pk>/transition/",
        views.complaint_transition,
        name="complaint-transition",
    ),
    path("complaints/<int:pk>/assign/", views.complaint_assign, name="complaint-assign"),
    path("complaints/<int:pk>/notes/", views.complaint_note, name="complaint-note"),
    path("complaints/<int:pk>/link/", views.complaint_link, name="complaint-link"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/propose/", views.case_propose, name="case-propose"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/print/", views_print.case_print, name="case-print"),
    path("cases/<int:pk>/transition/", views.case_transition, name="case-transition"),
    path("cases/<int:pk>/sanctions/", views.sanction_add, name="sanction-add"),
    path("sanctions/<int:pk>/remove/", views.sanction_remove, name="sanction-remove"),
    path("cases/<int:pk>/payment/", views.case_payment, name="case-payment"),
    path("cases/<int:pk>/lift/", views.case_lift, name="case-lift"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/scan/", views.campaign_scan, name="campaign-scan"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign-close"),
    path("candidates/<int:pk>/contact/", views.candidate_contact, name="candidate-contact"),
    path("candidates/<int:pk>/activity/", views.candidate_activity, name="candidate-activity"),
    path("candidates/<int:pk>/outcome/", views.candidate_outcome, name="candidate-outcome"),
    path("statistics/", views.statistics, name="statistics"),
]
