from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "npohub.regions"
    label = "regions"
