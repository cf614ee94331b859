from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "npohub.dashboards"
    label = "dashboards"
