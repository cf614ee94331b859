from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "npohub.api"
    label = "api"
