from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "partycare.audit"
    verbose_name = "审计日志"
