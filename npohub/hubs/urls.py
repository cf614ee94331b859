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
    path("platforms/", views.platform_list, name="platform-list"),
    path("pairings/", views.pairing_list, name="pairing-list"),
    path("pairings/<int:pk>/close/", views.pairing_close, name="pairing-close"),
    path("streets/<str:code>/lists/", views.street_lists, name="street-lists"),
    path("streets/<str:code>/lists/<str:kind>/", views.street_list_add, name="street-list-add"),
]
