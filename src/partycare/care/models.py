"""Care records: talks, visits, greetings, requested talks, leader links, needs surveys, medals.

A record says what was done. Obligations (what was owed) are matched against these records by the sweep, so a
record never needs to know which duty it fulfils.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from partycare.common.fields import EncryptedTextField


class Reason(models.TextChoices):
    PERIODIC = "periodic", "定期"
    EVENT = "event", "事件触发(必谈/必访)"
    HOLIDAY = "holiday", "节日"
    REQUESTED = "requested", "党员约谈"
    END_OF_LIFE = "end_of_life", "临终关怀"
    CONDOLENCE = "condolence", "亡故吊唁"
    OTHER = "other", "其他"


class TalkForm(models.TextChoices):
    INDIVIDUAL = "individual", "个别谈心"
    GROUP = "group", "集体谈话"


class ScopedByOrgQuerySet(models.QuerySet[Any]):
    """Records belong to the organisation in whose name they were made; scope follows that organisation."""

    def visible_to(self, user: Any, action: str = "view") -> Any:
        from partycare.accounts.scope import scope_of

        scope = scope_of(user)
        query = scope.org_q(action, prefix="org__")
        if action == "view" and scope.member_id:
            query |= self._own_q(scope.member_id)
        return self.filter(query).distinct() if action == "view" and scope.member_id else self.filter(query)

    def _own_q(self, member_id: int) -> models.Q:
        return models.Q(pk__in=[])


class TalkQuerySet(ScopedByOrgQuerySet):
    def _own_q(self, member_id: int) -> models.Q:
        return models.Q(talkers__pk=member_id) | models.Q(participants__pk=member_id)


class Talk(models.Model):
    """谈心谈话 — with one member or a group. Fulfils the talk duty of every participant."""

    org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="组织",
        on_delete=models.PROTECT,
        related_name="talks",
        help_text="以哪个组织的名义谈话（通常是谈话人任职的组织）",
    )
    held_on = models.DateField("谈话日期", db_index=True)
    form = models.CharField("形式", max_length=20, choices=TalkForm.choices, default=TalkForm.INDIVIDUAL)
    reason = models.CharField("缘由", max_length=20, choices=Reason.choices, default=Reason.PERIODIC)
    reason_event = models.ForeignKey(
        "members.LifeEvent", verbose_name="触发事件", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    talkers = models.ManyToManyField("members.Member", verbose_name="谈话人", related_name="talks_given")
    participants = models.ManyToManyField("members.Member", verbose_name="谈话对象", related_name="talks_received")
    # Talk notes are sensitive: encrypted at rest, shown only to talkers and responsible secretaries, reads logged.
    summary = EncryptedTextField("谈话要点", blank=True)
    follow_ups = models.TextField("商定的后续事项", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)

    objects = TalkQuerySet.as_manager()

    class Meta:
        verbose_name = "谈心谈话"
        verbose_name_plural = "谈心谈话"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_form_display()}"


class VisitQuerySet(ScopedByOrgQuerySet):
    def _own_q(self, member_id: int) -> models.Q:
        return models.Q(member_id=member_id) | models.Q(visitors__pk=member_id)


class Visit(models.Model):
    """走访慰问 — including holiday visits, end-of-life care and condolences."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="组织", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("走访日期", db_index=True)
    member = models.ForeignKey(
        "members.Member", verbose_name="走访对象", on_delete=models.PROTECT, related_name="visits_received"
    )
    visitors = models.ManyToManyField("members.Member", verbose_name="走访人", related_name="visits_made", blank=True)
    reason = models.CharField("缘由", max_length=20, choices=Reason.choices, default=Reason.PERIODIC)
    holiday = models.CharField("节日", max_length=40, blank=True, help_text="政策包中的节日键，如 spring_festival")
    reason_event = models.ForeignKey(
        "members.LifeEvent", verbose_name="触发事件", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gifts = models.CharField("慰问品", max_length=200, blank=True)
    money = models.DecimalField(
        "慰问金(元)", max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    notes = EncryptedTextField("情况记录", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = "走访慰问"
        verbose_name_plural = "走访慰问"
        ordering = ["-visited_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(money__gte=0), name="visit_money_not_negative")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.member}"


class GreetingOccasion(models.TextChoices):
    POLITICAL_BIRTHDAY = "political_birthday", "政治生日"
    BIRTHDAY = "birthday", "生日"


class GreetingAction(models.TextChoices):
    CARD = "card", "赠送入党生日卡"
    MESSAGE = "message", "发送慰问短信"
    OATH = "oath", "重温入党誓词"
    MEETING = "meeting", "集体过政治生日/生日会"


class GreetingQuerySet(ScopedByOrgQuerySet):
    def _own_q(self, member_id: int) -> models.Q:
        return models.Q(member_id=member_id)


class Greeting(models.Model):
    org = models.ForeignKey("orgs.Organisation", verbose_name="组织", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="greetings"
    )
    occasion = models.CharField("场合", max_length=30, choices=GreetingOccasion.choices)
    action = models.CharField("方式", max_length=20, choices=GreetingAction.choices)
    greeted_on = models.DateField("日期", db_index=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = GreetingQuerySet.as_manager()

    class Meta:
        verbose_name = "政治生日/生日祝福"
        verbose_name_plural = "政治生日/生日祝福"
        ordering = ["-greeted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.greeted_on} {self.member} {self.get_occasion_display()}"


class TalkRequestQuerySet(ScopedByOrgQuerySet):
    def _own_q(self, member_id: int) -> models.Q:
        return models.Q(member_id=member_id) | models.Q(leader_id=member_id)


class TalkRequest(models.Model):
    """约谈: a member asks a leader for a talk; the leader must arrange it within the pack's deadline."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="组织", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "members.Member", verbose_name="申请人", on_delete=models.CASCADE, related_name="talk_requests"
    )
    leader = models.ForeignKey(
        "members.Member",
        verbose_name="约谈对象(领导干部)",
        on_delete=models.PROTECT,
        related_name="talk_requests_received",
    )
    requested_on = models.DateField("申请日期", db_index=True)
    topic = EncryptedTextField("约谈事由", blank=True)
    arranged_on = models.DateField("安排谈话日期", null=True, blank=True, db_index=True)
    talk = models.ForeignKey(Talk, verbose_name="谈话记录", null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = TalkRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "党员约谈"
        verbose_name_plural = "党员约谈"
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(arranged_on__isnull=True) | models.Q(arranged_on__gte=models.F("requested_on")),
                name="talk_request_arranged_after_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.leader} ({self.requested_on})"


class LinkKind(models.TextChoices):
    DIRECT = "direct", "直接联系党员"
    IN_CHARGE = "in_charge", "分管中层干部"


class LeaderLinkQuerySet(ScopedByOrgQuerySet):
    def _own_q(self, member_id: int) -> models.Q:
        return models.Q(leader_id=member_id) | models.Q(member_id=member_id)

    def current(self, as_of: Any) -> LeaderLinkQuerySet:
        return self.filter(models.Q(until__isnull=True) | models.Q(until__gte=as_of), since__lte=as_of)


class LeaderLink(models.Model):
    """A leader's direct link to a member (每人至少直接联系2名党员), or the cadres a leader is in charge of."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="组织", on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(
        "members.Member", verbose_name="领导干部", on_delete=models.CASCADE, related_name="links_as_leader"
    )
    member = models.ForeignKey("members.Member", verbose_name="联系党员", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=20, choices=LinkKind.choices, default=LinkKind.DIRECT)
    category = models.CharField("联系重点", max_length=40, blank=True, help_text="老党员/困难党员/专家人才/功勋荣誉")
    since = models.DateField("起始日期", db_index=True)
    until = models.DateField("结束日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = LeaderLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "领导干部联系党员"
        verbose_name_plural = "领导干部联系党员"
        constraints = [
            models.CheckConstraint(condition=~models.Q(leader=models.F("member")), name="leader_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.leader} ↔ {self.member}"


class NeedsSurveyQuerySet(ScopedByOrgQuerySet):
    def _own_q(self, member_id: int) -> models.Q:
        return models.Q(member_id=member_id)


class NeedsSurveyResponse(models.Model):
    """党员需求调查: once a year per member."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="组织", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    responded_on = models.DateField("调查日期", db_index=True)
    thoughts = EncryptedTextField("思想动态", blank=True)
    needs = EncryptedTextField("工作和生活需求", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = NeedsSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = "需求调查"
        verbose_name_plural = "需求调查"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_needs_survey_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.member}"


class MedalAwardQuerySet(ScopedByOrgQuerySet):
    def _own_q(self, member_id: int) -> models.Q:
        return models.Q(member_id=member_id)


class MedalAward(models.Model):
    """光荣在党50年 and other commemorative medals actually issued."""

    org = models.ForeignKey("orgs.Organisation", verbose_name="组织", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="medals")
    medal = models.CharField("纪念章", max_length=40, default="光荣在党50年")
    year = models.PositiveSmallIntegerField("年度")
    awarded_on = models.DateField("颁发日期", db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    objects = MedalAwardQuerySet.as_manager()

    class Meta:
        verbose_name = "纪念章颁发"
        verbose_name_plural = "纪念章颁发"
        constraints = [models.UniqueConstraint(fields=["member", "medal"], name="medal_once_per_member")]

    def __str__(self) -> str:
        return f"{self.medal} {self.member}"
