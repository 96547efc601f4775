from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "partycare.care"
    verbose_name = "关怀"
