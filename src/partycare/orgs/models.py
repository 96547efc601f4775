"""The organisation tree: 党委 → 党总支 / 二级党委 → 党支部 → 党小组 (materialised path)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    SECONDARY_COMMITTEE = "secondary_committee", "二级党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


# Which kinds may sit directly under which (None = may be a root).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    OrgKind.COMMITTEE: {None, OrgKind.COMMITTEE},
    OrgKind.SECONDARY_COMMITTEE: {OrgKind.COMMITTEE},
    OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE, OrgKind.SECONDARY_COMMITTEE},
    OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.SECONDARY_COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.GROUP: {OrgKind.BRANCH},
}


class OrgStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    DISSOLVED = "dissolved", "已撤销"


class OrganisationQuerySet(MP_NodeQuerySet):
    def visible_to(self, user: Any, action: str = "view") -> OrganisationQuerySet:
        from partycare.accounts.scope import VIEW, scope_of

        scope = scope_of(user)
        query = scope.org_q(action)
        if action == VIEW and scope.member_org_id:
            query |= models.Q(pk=scope.member_org_id)
        return self.filter(query)


class OrganisationManager(MP_NodeManager):
    def get_queryset(self) -> OrganisationQuerySet:
        return OrganisationQuerySet(self.model).order_by("path")

    def visible_to(self, user: Any, action: str = "view") -> OrganisationQuerySet:
        return self.get_queryset().visible_to(user, action)


class Organisation(MP_Node):
    name = models.CharField("名称", max_length=120)
    short_name = models.CharField("简称", max_length=60, blank=True)
    kind = models.CharField("类型", max_length=30, choices=OrgKind.choices)
    code = models.CharField("组织编码", max_length=40, blank=True, help_text="可选；导入花名册时可用编码代替名称")
    founded_on = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    note = models.TextField("备注", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="unique_org_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> int:
        return self.depth


class PostKind(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANISATION_MEMBER = "organisation_member", "组织委员"
    PROPAGANDA_MEMBER = "propaganda_member", "宣传委员"
    DISCIPLINE_MEMBER = "discipline_member", "纪检委员"
    COMMITTEE_MEMBER = "committee_member", "委员"
    GROUP_LEADER = "group_leader", "党小组长"


class OrgPostQuerySet(models.QuerySet["OrgPost"]):
    def current(self, as_of: Any = None) -> OrgPostQuerySet:
        day = as_of or timezone.localdate()
        return self.filter(models.Q(until__isnull=True) | models.Q(until__gte=day), since__lte=day)


class OrgPost(models.Model):
    """A secretary or committee member (委员) of an organisation, for a period."""

    org = models.ForeignKey(Organisation, verbose_name="组织", on_delete=models.CASCADE, related_name="posts")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="posts")
    post = models.CharField("职务", max_length=30, choices=PostKind.choices)
    since = models.DateField("任职起", db_index=True)
    until = models.DateField("任职止", null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = OrgPostQuerySet.as_manager()

    class Meta:
        verbose_name = "组织职务"
        verbose_name_plural = "组织职务"
        ordering = ["org__path", "post", "since"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="org_post_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.get_post_display()} {self.member}"
