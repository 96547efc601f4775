from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "partycare.api"
    verbose_name = "API"
