"""Which policy pack was in force for which organisation, when.

History is append-only: activating a new pack closes the one in force (sets its ``effective_to``) and adds a row;
nothing is deleted or rewritten, so "which rules applied on 2021-03-01?" always has an answer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class PolicyActivationQuerySet(models.QuerySet["PolicyActivation"]):
    def in_force_on(self, day: Any) -> PolicyActivationQuerySet:
        return self.filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gt=day), effective_from__lte=day
        )

    def visible_to(self, user: Any, action: str = "view") -> PolicyActivationQuerySet:
        from partycare.orgs.models import Organisation

        return self.filter(org__in=Organisation.objects.visible_to(user, action))


class PolicyActivation(models.Model):
    org = models.ForeignKey(
        "orgs.Organisation", verbose_name="党组织", on_delete=models.PROTECT, related_name="policy_activations"
    )
    pack_slug = models.CharField("政策包", max_length=80)
    pack_version = models.CharField("版本", max_length=20)
    pack_name = models.CharField("名称", max_length=200)
    # The validated pack as JSON (PolicyPack.to_content()); re-validated on every load.
    content = models.JSONField("内容")
    content_sha256 = models.CharField("内容校验值", max_length=64, editable=False)
    effective_from = models.DateField("生效日期", db_index=True)
    # Exclusive: the first day this activation is no longer in force. Empty while it is the current one.
    effective_to = models.DateField("停止生效日期（不含）", null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="启用人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="为空表示由系统（命令行）启用",
    )
    activated_at = models.DateTimeField("启用时间", auto_now_add=True)
    note = models.CharField("说明", max_length=500, blank=True)

    objects = PolicyActivationQuerySet.as_manager()

    class Meta:
        verbose_name = "政策包启用记录"
        verbose_name_plural = "政策包启用记录"
        ordering = ["org_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["org", "effective_from"], name="policy_activation_one_per_start"),
            # At most one open-ended activation per organisation: "exactly one pack in force" at any date.
            models.UniqueConstraint(
                fields=["org"], condition=models.Q(effective_to__isnull=True), name="policy_activation_one_open"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gt=models.F("effective_from")),
                name="policy_activation_positive_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.pack_name} v{self.pack_version} 自{self.effective_from}"

    @property
    def is_open(self) -> bool:
        return self.effective_to is None

    @property
    def pack(self) -> Any:
        """The validated PolicyPack (cached per row: stored content never changes)."""
        from partycare.policy.selectors import pack_of

        return pack_of(self)
