"""Obligations: what is owed to whom, by whom, by when — derived by the sweep from the pack, people and events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class ObligationKind(models.TextChoices):
    TALK = "talk", "谈心谈话"
    VISIT = "visit", "走访慰问"
    GREETING = "greeting", "政治生日"
    BIRTHDAY = "birthday", "生日祝福"
    REQUESTED_TALK = "requested_talk", "约谈安排"
    LEADER_LINK = "leader_link", "直接联系党员"
    MEDAL = "medal", "光荣在党50年纪念章"
    CONDOLENCE = "condolence", "亡故吊唁"
    NEEDS_SURVEY = "needs_survey", "需求调查"


class ObligationState(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已完成"
    OVERDUE = "overdue", "已逾期"
    WAIVED = "waived", "已免除"


class ObligationQuerySet(models.QuerySet["Obligation"]):
    def visible_to(self, user: Any, action: str = "view") -> ObligationQuerySet:
        from partycare.accounts.scope import scope_of

        scope = scope_of(user)
        query = scope.org_q(action, prefix="responsible_org__")
        if scope.member_id:
            query |= models.Q(responsible_member_id=scope.member_id)
        return self.filter(query)

    def due_by(self, as_of: Any) -> ObligationQuerySet:
        return self.filter(due_on__lte=as_of).exclude(state=ObligationState.WAIVED)

    def started_by(self, as_of: Any) -> ObligationQuerySet:
        return self.filter(window_start__lte=as_of)


class Obligation(models.Model):
    # rule|period|subject — the sweep inserts with ON CONFLICT DO NOTHING on this, which makes it idempotent.
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField("类别", max_length=30, choices=ObligationKind.choices, db_index=True)
    rule = models.CharField("规则", max_length=120)
    rule_label = models.CharField("规则说明", max_length=200)
    pack = models.CharField("政策包", max_length=80)
    source = models.CharField("依据", max_length=200, blank=True)
    subject_member = models.ForeignKey(
        "members.Member", verbose_name="对象", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    responsible_org = models.ForeignKey(
        "orgs.Organisation", verbose_name="责任组织", on_delete=models.CASCADE, related_name="obligations"
    )
    # The responsible organisation's tree path, copied so roll-ups and record matching need no join.
    responsible_path = models.CharField(max_length=255, db_index=True)
    responsible_member = models.ForeignKey(
        "members.Member", verbose_name="责任人", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_key = models.CharField("周期", max_length=40)
    period_label = models.CharField("周期说明", max_length=60, blank=True)
    trigger_event = models.ForeignKey(
        "members.LifeEvent", verbose_name="触发事件", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    trigger_request = models.ForeignKey(
        "care.TalkRequest", verbose_name="约谈申请", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    holiday = models.CharField("节日", max_length=40, blank=True)
    window_start = models.DateField("开始日期")
    due_on = models.DateField("截止日期")
    # Last day a record still fulfils the duty: the period end for "each semester" duties (a talk next semester
    # belongs to next semester's duty); empty for event duties, where a late talk still counts (as late).
    fulfil_until = models.DateField("有效记录截止", null=True, blank=True)
    state = models.CharField("状态", max_length=20, choices=ObligationState.choices, default=ObligationState.OPEN)
    done_on = models.DateField("完成日期", null=True, blank=True)
    waived_reason = models.CharField("免除理由", max_length=200, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    created_on = models.DateField("生成日期")
    # The business day of the sweep that last inserted this row or changed its state: the tally refresh re-counts
    # only the responsible organisations of the rows touched that day.
    touched_on = models.DateField(null=True, blank=True, db_index=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = "责任事项"
        verbose_name_plural = "责任事项"
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["responsible_org", "state", "due_on"], name="obligation_org_state_due"),
            models.Index(fields=["state", "due_on"], name="obligation_state_due"),
            models.Index(fields=["subject_member", "kind"], name="obligation_subject_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("window_start")), name="obligation_window"),
            models.CheckConstraint(
                condition=~models.Q(state="waived") | ~models.Q(waived_reason=""), name="obligation_waived_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_label} {self.period_label}"

    @property
    def on_time(self) -> bool:
        return self.state == ObligationState.DONE and self.done_on is not None and self.done_on <= self.due_on


class ObligationTally(models.Model):
    """Pre-aggregated counts behind the compliance roll-up (see rollup.py), so it never reads the obligation table.

    One row per (path, exact, kind, due_on). exact=True: the duties of exactly the organisation at `path`;
    exact=False: the whole subtree rooted at `path`, kept for every ancestor of every responsible organisation
    (itself included). The roll-up for an organisation then reads its children's subtree rows and its own exact row:
    at most children × kinds × due dates rows, however many obligations there are. Waived duties are not counted;
    on_time, late and overdue are each part of `due`, so due = 0 means the row counts nothing (and is deleted).
    """

    path = models.CharField(max_length=255)
    exact = models.BooleanField()
    depth = models.PositiveSmallIntegerField()  # len(path) // Organisation.steplen
    kind = models.CharField(max_length=30, choices=ObligationKind.choices)
    due_on = models.DateField()
    due = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)

    class Meta:
        verbose_name = "落实率汇总"
        verbose_name_plural = "落实率汇总"
        constraints = [
            # Also the conflict target of the refresh's upsert, and the index for an organisation's own rows.
            models.UniqueConstraint(fields=["path", "exact", "kind", "due_on"], name="obligation_tally_key"),
        ]
        indexes = [
            # Children's subtree rows: depth = d AND path LIKE 'X%' AND due_on <= D. The pattern opclass lets
            # PostgreSQL use the index for the prefix match under any collation (ignored on SQLite).
            models.Index(
                fields=["depth", "path", "due_on"],
                name="obligation_tally_subtree",
                condition=models.Q(exact=False),
                opclasses=["", "varchar_pattern_ops", ""],
            ),
            # The refresh deletes rows it left counting nothing; this index holds only those, for a moment.
            models.Index(fields=["path"], name="obligation_tally_empty", condition=models.Q(due=0)),
        ]

    def __str__(self) -> str:
        return f"{self.path}{'' if self.exact else '*'} {self.kind} {self.due_on}"


class SweepRun(models.Model):
    """One run of the sweep: when, as of which day, and what it did (for the supervision page and the scheduler)."""

    as_of = models.DateField("业务日期", db_index=True)
    since = models.DateField("起始日期")
    started_at = models.DateTimeField("开始", auto_now_add=True)
    finished_at = models.DateTimeField("结束", null=True, blank=True)
    report = models.JSONField("结果", default=dict, blank=True)
    triggered_by = models.CharField("触发方式", max_length=40, default="manual")

    class Meta:
        verbose_name = "责任事项生成记录"
        verbose_name_plural = "责任事项生成记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"sweep {self.as_of}"


class NotificationKind(models.TextChoices):
    DUE = "due", "新的待办"
    OVERDUE = "overdue", "已逾期"


class Notification(models.Model):
    """In-app inbox entry about an obligation; e-mail and SMS are sent from these, never instead of them."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=20, choices=NotificationKind.choices)
    created_on = models.DateField("日期", db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    texted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-created_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "obligation", "kind"], name="one_notification_per_kind"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.obligation}"
