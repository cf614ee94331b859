from django.urls import path

from .views import certificates as views
from .views import printing

app_name = "certificates"
urlpatterns = [
    path("<int:org_pk>/current.pdf", views.current_certificate_pdf, name="current-pdf"),
    path("<int:pk>.pdf", views.certificate_pdf, name="pdf"),
    path("<int:pk>/print/", printing.certificate_print, name="print"),
    path("<int:org_pk>/current/print/", printing.current_certificate_print, name="current-print"),
]
