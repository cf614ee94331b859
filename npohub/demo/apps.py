from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "npohub.demo"
    label = "demo"
