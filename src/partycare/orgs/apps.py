from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "partycare.orgs"
    verbose_name = "党组织"
