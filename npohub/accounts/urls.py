from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("2fa/verify/", views.otp_verify, name="otp-verify"),
    path("2fa/setup/", views.otp_setup, name="otp-setup"),
    path("2fa/recovery-codes/", views.otp_recovery_codes, name="otp-recovery-codes"),
    path("2fa/disable/", views.otp_disable, name="otp-disable"),
    path("me/", views.my_account, name="me"),
    path("me/password/", views.password_change, name="password-change"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/password/", views.user_password, name="user-password"),
    path("users/<int:pk>/2fa-reset/", views.user_otp_reset, name="user-otp-reset"),
]
