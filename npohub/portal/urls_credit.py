"""Public portal pages of the credit app (inside the ``portal`` namespace, under /credit/)."""

from django.urls import path

from . import views_credit

urlpatterns = [
    path(
        "abnormal/", views_credit.credit_list, {"credit_list": "abnormal"}, name="credit-abnormal"
    ),
    path("serious/", views_credit.credit_list, {"credit_list": "serious"}, name="credit-serious"),
]
