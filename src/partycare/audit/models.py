"""The audit log: one row per change (or sensitive read), written in the same transaction as the change."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def visible_to(self, user: object) -> AuditEntryQuerySet:
        from partycare.accounts.scope import scope_of

        scope = scope_of(user)
        paths = scope.paths_for("view_audit")
        if scope.is_superuser:
            return self.all()
        if not paths:
            return self.none()
        query = models.Q()
        for path in paths:
            query |= models.Q(org_path__startswith=path)
        return self.filter(query)


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        READ_SENSITIVE = "read_sensitive", "查看敏感信息"
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"
        GRANT = "grant", "授权"
        REVOKE = "revoke", "撤销授权"
        MOVE = "move", "移动"
        OTHER = "other", "其他"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept as text so the log still says who acted after an account is removed.
    actor_label = models.CharField("操作人(记录时)", max_length=150)
    action = models.CharField("动作", max_length=20, choices=Action.choices, db_index=True)
    event = models.CharField("事件", max_length=60, help_text="e.g. member.update, org.move", db_index=True)
    object_type = models.CharField("对象类型", max_length=60, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=200)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    changes = models.JSONField("变更(旧→新)", default=dict, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.event} {self.object_repr}"
