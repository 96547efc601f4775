"""The member registry, life events, discipline and honours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from partycare.common import crypto
from partycare.common.dates import add_years, next_anniversary, whole_years
from partycare.common.fields import EncryptedTextField
from partycare.common.idcard import InvalidIdNumber, parse_id_number
from partycare.common.masking import mask_id_number, mask_phone


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


class MemberCategory(models.TextChoices):
    STAFF = "staff", "在职教职工"
    STUDENT = "student", "学生"
    RETIRED = "retired", "离退休"
    OTHER = "other", "其他"


class LeadershipLevel(models.TextChoices):
    NONE = "none", "无"
    MIDDLE = "middle", "中层干部"
    SCHOOL = "school", "校级领导"


class RollState(models.TextChoices):
    ACTIVE = "active", "在册"
    TRANSFERRED_OUT = "transferred_out", "已转出"
    DECEASED = "deceased", "已去世"


# Living situation and conditions, in the order forms and exports show them.
CONDITION_FIELDS: dict[str, str] = {
    "lives_alone": "独居",
    "widowed_or_alone": "鳏寡孤独",
    "frail_sick_disabled": "老弱病残",
    "mobile": "流动党员",
    "honorary": "荣誉党员",
    "injured_on_duty": "因公伤残",
    "in_difficulty": "生活困难",
    "has_pension": "有养老金",
    "has_fixed_income": "有固定工资(补贴)",
    "receives_dibao": "领取低保",
    "unemployed": "下岗失业",
}


class MemberQuerySet(models.QuerySet["Member"]):
    def visible_to(self, user: Any, action: str = "view") -> MemberQuerySet:
        from partycare.accounts.scope import VIEW, scope_of

        scope = scope_of(user)
        query = scope.org_q(action, prefix="org__")
        if action == VIEW and scope.member_id:
            query |= models.Q(pk=scope.member_id)
        return self.filter(query)

    def on_roll(self) -> MemberQuerySet:
        return self.filter(roll_state=RollState.ACTIVE)


def _boolean(label: str) -> models.BooleanField:
    return models.BooleanField(label, default=False)


class Member(models.Model):
    org = models.ForeignKey(
        "orgs.Organisation", verbose_name="所在党组织", on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期", db_index=True)
    # Encrypted at rest; found by exact match through the keyed hash; shown masked.
    id_number = EncryptedTextField("身份证号", blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField("身份证号(脱敏)", max_length=24, blank=True, editable=False)
    phone = EncryptedTextField("手机号", blank=True)
    phone_masked = models.CharField("手机号(脱敏)", max_length=24, blank=True, editable=False)
    joined_on = models.DateField("入党日期", db_index=True)
    full_member_on = models.DateField("转正日期", null=True, blank=True, db_index=True)
    status = models.CharField("党员状态", max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL)
    category = models.CharField("人员类别", max_length=20, choices=MemberCategory.choices)
    position = models.CharField("职务/岗位", max_length=100, blank=True)
    leadership_level = models.CharField(
        "干部层级", max_length=20, choices=LeadershipLevel.choices, default=LeadershipLevel.NONE
    )
    roll_state = models.CharField("在册状态", max_length=20, choices=RollState.choices, default=RollState.ACTIVE)
    deceased_on = models.DateField("去世日期", null=True, blank=True)
    died_on_duty = _boolean("因公殉职/牺牲")
    lives_alone = _boolean("独居")
    widowed_or_alone = _boolean("鳏寡孤独")
    frail_sick_disabled = _boolean("老弱病残")
    mobile = _boolean("流动党员")
    honorary = _boolean("荣誉党员")
    injured_on_duty = _boolean("因公伤残")
    in_difficulty = _boolean("生活困难")
    has_pension = _boolean("有养老金")
    has_fixed_income = _boolean("有固定工资(补贴)")
    receives_dibao = _boolean("领取低保")
    unemployed = _boolean("下岗失业")
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["org_id", "name", "id"]
        indexes = [models.Index(fields=["roll_state", "category"], name="member_roll_category")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="unique_member_id_number",
            ),
            models.CheckConstraint(
                condition=models.Q(full_member_on__isnull=True) | models.Q(full_member_on__gte=models.F("joined_on")),
                name="member_full_after_joined",
            ),
            models.CheckConstraint(
                condition=models.Q(joined_on__gt=models.F("birth_date")), name="member_joined_after_birth"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # --- sensitive fields -------------------------------------------------------------------------------------
    def set_id_number(self, raw: str) -> None:
        """Validates (GB 11643) and stores the number encrypted, with its search hash and masked form."""
        if not raw or not raw.strip():
            self.id_number, self.id_number_index, self.id_number_masked = "", "", ""
            return
        parsed = parse_id_number(raw)
        self.id_number = parsed.value
        self.id_number_index = crypto.blind_index(parsed.value)
        self.id_number_masked = mask_id_number(parsed.value)

    def set_phone(self, raw: str) -> None:
        value = (raw or "").strip().replace(" ", "").replace("-", "")
        self.phone = value
        self.phone_masked = mask_phone(value)

    # --- derived values ---------------------------------------------------------------------------------------
    @property
    def party_age_since(self) -> dt.date:
        """党龄 counts from full membership (转正); the join date stands in when that is unknown."""
        return self.full_member_on or self.joined_on

    def age(self, as_of: dt.date) -> int:
        return whole_years(self.birth_date, as_of) or 0

    def party_age(self, as_of: dt.date) -> int:
        years = whole_years(self.party_age_since, as_of)
        return max(years or 0, 0)

    def next_political_birthday(self, as_of: dt.date) -> dt.date:
        return next_anniversary(self.joined_on, as_of)

    def conditions(self) -> list[str]:
        return [label for name, label in CONDITION_FIELDS.items() if getattr(self, name)]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.birth_date and self.joined_on and self.joined_on < add_years(self.birth_date, 18):
            errors["joined_on"] = "入党时应年满十八周岁"
        if self.full_member_on and self.joined_on and self.full_member_on < self.joined_on:
            errors["full_member_on"] = "转正日期不能早于入党日期"
        if self.status == MemberStatus.FULL and self.full_member_on is None and self.joined_on:
            pass  # older records often lack the date; 党龄 then counts from joining
        if self.status == MemberStatus.PROBATIONARY and self.full_member_on:
            errors["status"] = "已有转正日期的党员不应为预备党员"
        if self.roll_state == RollState.DECEASED and not self.deceased_on:
            errors["deceased_on"] = "已去世的党员需填写去世日期"
        if self.deceased_on and self.roll_state != RollState.DECEASED:
            errors["roll_state"] = "填写了去世日期，在册状态应为“已去世”"
        if self.id_number:
            try:
                parsed = parse_id_number(self.id_number)
            except InvalidIdNumber as exc:
                errors["id_number"] = str(exc)
            else:
                if self.birth_date and parsed.birth_date != self.birth_date:
                    errors["birth_date"] = "出生日期与身份证号不一致"
        if errors:
            raise ValidationError(errors)


class LifeEventKind(models.TextChoices):
    JOINED = "joined", "入党"
    BECAME_FULL_MEMBER = "became_full_member", "转正"
    TRANSFERRED_IN = "transferred_in", "转入"
    TRANSFERRED_OUT = "transferred_out", "转出"
    POSITION_CHANGE = "position_change", "职务调整/岗位变动"
    NEW_HIRE = "new_hire", "新入职"
    RETIRED = "retired", "退休"
    HOSPITALISED = "hospitalised", "患病住院"
    SERIOUS_ILLNESS = "serious_illness", "身患重病"
    FAMILY_ACCIDENT = "family_accident", "家庭意外/重大变故"
    DISASTER = "disaster", "自然灾害/事故"
    BEREAVEMENT = "bereavement", "丧事"
    WEDDING = "wedding", "婚事"
    HARDSHIP = "hardship", "生活遇到特殊困难"
    SETBACK = "setback", "遭遇重大挫折/工作遇到问题"
    IDEOLOGICAL_FLUCTUATION = "ideological_fluctuation", "思想波动"
    CONFLICT = "conflict", "矛盾和意见分歧"
    WORK_MISTAKE = "work_mistake", "工作失误"
    WARNING_SIGNS = "warning_signs", "苗头性倾向性问题"
    HONOURED = "honoured", "获得表彰"
    DISCIPLINED = "disciplined", "受到组织处理/纪律处分"
    COMPLAINT_RECEIVED = "complaint_received", "群众有不良反映"
    MISSED_ORG_LIFE = "missed_org_life", "无故不参加组织生活"
    DUES_ARREARS = "dues_arrears", "不正常交纳党费"
    RETURNED_HOME = "returned_home", "流动党员外出返家"
    TERMINALLY_ILL = "terminally_ill", "临终"
    DECEASED = "deceased", "去世"


class LifeEventQuerySet(models.QuerySet["LifeEvent"]):
    def visible_to(self, user: Any, action: str = "view") -> LifeEventQuerySet:
        """Only people who care for the member see events: notes on 思想波动 or 苗头性问题 are the secretaries'
        working notes, so a plain member does not see even their own."""
        from partycare.accounts.scope import scope_of

        return self.filter(scope_of(user).org_q(action, prefix="member__org__"))


class LifeEvent(models.Model):
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="life_events")
    kind = models.CharField("事件", max_length=40, choices=LifeEventKind.choices, db_index=True)
    occurred_on = models.DateField("发生日期", db_index=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)

    objects = LifeEventQuerySet.as_manager()

    class Meta:
        verbose_name = "党员事件"
        verbose_name_plural = "党员事件"
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.occurred_on}"


class DisciplineKind(models.TextChoices):
    ORG_HANDLING = "org_handling", "组织处理"
    WARNING = "warning", "警告"
    SERIOUS_WARNING = "serious_warning", "严重警告"
    REMOVAL_FROM_POST = "removal_from_post", "撤销党内职务"
    PROBATION = "probation", "留党察看"


class Discipline(models.Model):
    """A sanction with its impact period (影响期); once the period ends it must not block eligibility."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="disciplines")
    kind = models.CharField("处理/处分", max_length=30, choices=DisciplineKind.choices)
    decided_on = models.DateField("决定日期", db_index=True)
    impact_until = models.DateField("影响期至", db_index=True)
    note = models.TextField("说明", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        verbose_name = "组织处理/纪律处分"
        verbose_name_plural = "组织处理/纪律处分"
        ordering = ["-decided_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(impact_until__gte=models.F("decided_on")),
                name="discipline_impact_after_decision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.decided_on}"

    def in_impact(self, as_of: dt.date) -> bool:
        return self.decided_on <= as_of <= self.impact_until


class Honour(models.Model):
    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="honours")
    title = models.CharField("荣誉称号", max_length=100)
    level = models.CharField("级别", max_length=30, blank=True, help_text="如：国家级、省级、厅级、校级")
    awarded_on = models.DateField("授予日期", db_index=True)
    awarded_by = models.CharField("授予单位", max_length=100, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    class Meta:
        verbose_name = "荣誉表彰"
        verbose_name_plural = "荣誉表彰"
        ordering = ["-awarded_on"]

    def __str__(self) -> str:
        return f"{self.member} {self.title}"


class ImportJobStatus(models.TextChoices):
    PENDING = "pending", "等待处理"
    VALIDATING = "validating", "正在校验"
    FAILED = "failed", "未导入"
    SUCCEEDED = "succeeded", "导入成功"


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def visible_to(self, user: Any) -> ImportJobQuerySet:
        """An import's file and error list name people, so only the person who uploaded it sees the job."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(created_by=user)


class ImportJob(models.Model):
    """One roster upload: its progress while the worker validates it, then its errors or what it created."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="导入范围",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="为空时按文件中“所在党组织”列导入到导入人管理范围内的组织",
    )
    file = models.FileField("文件", upload_to="imports/roster/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=255, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ImportJobStatus.choices, default=ImportJobStatus.PENDING, db_index=True
    )
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已校验行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    ignored_columns = models.JSONField("未识别的列", default=list, blank=True)
    created_count = models.PositiveIntegerField("新增党员数", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始处理", null=True, blank=True)
    finished_at = models.DateTimeField("处理完成", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "名册导入"
        verbose_name_plural = "名册导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"名册导入 #{self.pk} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportJobStatus.FAILED, ImportJobStatus.SUCCEEDED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
