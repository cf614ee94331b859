from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "npohub.orgs"
    label = "orgs"
