from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "partycare.web"
    verbose_name = "界面"
