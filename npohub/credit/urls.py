"""Staff pages of the credit app (mounted at /credit/)."""

from django.urls import path

from . import views, views_print

app_name = "credit"
urlpatterns = [
    path("", views.listing_list, name="listing-list"),
    path("mine/", views.my_credit, name="my-credit"),
    path("organizations/<int:org_id>/", views.organization_credit, name="organization-credit"),
    path("organizations/<int:org_id>/facts/new/", views.fact_create, name="fact-create"),
    path("organizations/<int:org_id>/contacts/new/", views.contact_create, name="contact-create"),
    path("listings/<int:listing_id>/request/", views.request_create, name="request-create"),
    path("listings/<int:listing_id>/print/", views_print.listing_print, name="listing-print"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/print/", views_print.request_print, name="request-print"),
    path(
        "requests/<int:pk>/<slug:transition>/",
        views.request_transition,
        name="request-transition",
    ),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/<int:pk>/", views.rule_edit, name="rule-edit"),
    path("barred/", views.barred_list, name="barred-list"),
    path("barred/new/", views.barred_create, name="barred-create"),
    path("barred/<int:pk>/lift/", views.barred_lift, name="barred-lift"),
    path("contacts/", views.contact_list, name="contact-list"),
    path("late-entries/", views.late_entries, name="late-entries"),
    path("evaluate/", views.evaluate, name="evaluate"),
]
