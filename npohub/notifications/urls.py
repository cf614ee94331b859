from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("badge/", views.unread_badge, name="badge"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
    path("<int:pk>/read/", views.notification_read, name="notification-read"),
    path("preferences/", views.preferences, name="preferences"),
]
