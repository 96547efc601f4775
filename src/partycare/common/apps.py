from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "partycare.common"
    verbose_name = "公共"
