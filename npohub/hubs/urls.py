"""Staff pages of the hubs app (mounted at /hubs/)."""

from django.urls import path

from . import views

app_name = "hubs"
urlpatterns = [
    path("", views.hub_list, name="hub-list"),
    path("recognise/", views.hub_recognise, name="hub-recognise"),
    path("<int:pk>/", views.hub_detail, name="hub-detail"),
    path("<int:pk>/revoke/", views.hub_revoke, name="hub-revoke"),
    path("<int:pk>/members/", views.member_add, name="member-add"),
    path("<int:pk>/members/<int:membership_pk>/leave/", views.member_leave, name="member-leave"),
    path(
        "<int:pk>/members/<int:membership_pk>/agreement/",
        views.member_agreement,
        name="member-agreement",
    ),
    path("<int:pk>/members/<int:membership_pk>/review/", views.member_review, name="member-review"),
    path("<int:pk>/staff/", views.staff_add, name="staff-add"),
    path("<int:pk>/staff/<int:user_pk>/remove/", views.staff_remove, name="staff-remove"),
    path("<int:pk>/notices/", views.notice_send, name="notice-send"),
    path("<int:pk>/escalations/", views.escalation_create, name="escalation-create"),
    path("notices/", views.notice_inbox, name="notice-inbox"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice-read"),
    path("escalations/", views.escalation_list, name="escalation-list"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation-detail"),
    path("escalations/<int:pk>/assign/", views.escalation_assign, name="escalation-assign"),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve, name="escalation-resolve"),
    path("federations/", views.federation_list, name="federation-list"),
    path("federations/new/", views.federation_create, name="federation-create"),
    path("federations/<int:pk>/", views.federation_detail, name="federation-detail"),
    path("federations/<int:pk>/chair/", views.federation_chair, name="federation-chair"),
    path(
        "federations/<int:pk>/external/",
        views.federation_external_add,
        name="federation-external-add",
    ),
    path(
        "federations/external/<int:pk>/leave/",
        views.federation_external_leave,
        name="federation-external-leave",
    ),
    path("platforms/", views.platform_list, name="platform-list"),
    path("platforms/new/", views.platform_create, name="platform-create"),
    path("platforms/<int:pk>/", views.platform_detail, name="platform-detail"),
    path("platforms/<int:pk>/visits/", views.platform_visit, name="platform-visit"),
    path("platforms/<int:pk>/honours/", views.platform_honour, name="platform-honour"),
    path("pairings/", views.pairing_list, name="pairing-list"),
    path("pairings/new/", views.pairing_create, name="pairing-create"),
    path("coverage/", views.coverage, name="coverage"),
    path("pairings/<int:pk>/close/", views.pairing_close, name="pairing-close"),
    path("streets/<str:code>/lists/", views.street_lists, name="street-lists"),
    path("streets/<str:code>/lists/<str:kind>/", views.street_list_add, name="street-list-add"),
    path(
        "streets/<str:code>/lists/<str:kind>/<int:item_pk>/status/",
        views.street_list_status,
        name="street-list-status",
    ),
]
