from django.urls import path

from .views import filing as views

app_name = "community"
urlpatterns = [
    path("activity-reports/", views.activity_report_list, name="activity-report-list"),
    path("activity-reports/new/", views.activity_report_create, name="activity-report-create"),
    path("activity-reports/<int:pk>/", views.activity_report_detail, name="activity-report-detail"),
    path("delegations/", views.delegation_list, name="delegation-list"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation-end"),
]
