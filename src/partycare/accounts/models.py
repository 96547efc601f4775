"""Logins and the roles that scope them. A role is granted on an organisation and covers its subtree."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "组织部管理员"
    GENERAL_SECRETARY = "general_secretary", "党总支/二级党委书记"
    BRANCH_SECRETARY = "branch_secretary", "党支部书记"
    COMMITTEE_MEMBER = "committee_member", "支委委员"
    AUDITOR = "auditor", "审计(只读)"
    LEADER = "leader", "校领导"


class User(AbstractUser):
    """A login. Linked to a member (who then always sees their own record) or a staff account."""

    member = models.OneToOneField(
        "members.Member",
        verbose_name="对应党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
    )
    display_name = models.CharField("显示名", max_length=100, blank=True)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    org = models.ForeignKey("orgs.Organisation", verbose_name="组织", on_delete=models.CASCADE, related_name="+")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="unique_role_grant")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.org}"
