from django.urls import path

from .views import certificates as views

app_name = "certificates"
urlpatterns = [
    path("<int:org_pk>/current.pdf", views.current_certificate_pdf, name="current-pdf"),
    path("<int:pk>.pdf", views.certificate_pdf, name="pdf"),
]
