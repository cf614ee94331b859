from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "npohub.accounts"
    label = "accounts"
