from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "partycare.demo"
    verbose_name = "演示数据"
