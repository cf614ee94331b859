"""Staff pages of the inspections app (mounted at /inspections/)."""

from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/transition/", views.plan_transition, name="plan-transition"),
    path("checks/", views.check_list, name="check-list"),
    path("checks/<int:pk>/", views.check_detail, name="check-detail"),
    path("checks/<int:pk>/notice/", views.check_notice, name="check-notice"),
    path("checks/<int:pk>/findings/", views.finding_add, name="finding-add"),
    path("checks/<int:pk>/conclude/", views.check_conclude, name="check-conclude"),
    path("checks/<int:pk>/orders/", views.order_issue, name="order-issue"),
    path("checks/<int:pk>/replace/", views.check_replace, name="check-replace"),
    path("orders/<int:pk>/report/", views.order_report, name="order-report"),
    path("orders/<int:pk>/verify/", views.order_verify, name="order-verify"),
    path("pool/", views.pool_list, name="pool-list"),
    path("pool/<int:pk>/", views.pool_edit, name="pool-edit"),
    path("pool/<int:pk>/conflicts/", views.conflict_declare, name="conflict-declare"),
    path("conflicts/<int:pk>/withdraw/", views.conflict_withdraw, name="conflict-withdraw"),
]
