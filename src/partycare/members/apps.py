from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "partycare.members"
    verbose_name = "党员"
