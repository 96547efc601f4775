from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "partycare.policy"
    verbose_name = "政策包"
