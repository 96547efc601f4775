from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    name = "partycare.obligations"
    verbose_name = "责任事项"
