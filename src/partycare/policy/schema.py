"""The typed schema of a policy pack (pydantic v2; unknown keys are rejected everywhere).

A pack is one organisation's rules as data: the calendar, talk and visit duties, political care, subsidies, dues,
approval chains, the fund and incentives. Every rule says where it comes from (``source``: seed id, paragraph,
verbatim quote) and which of its parameters the source document did not give (``defaulted``: key -> reason).

Consumers (the obligations engine, the UI) use the typed accessors, e.g. ``pack.talks.periodic``,
``pack.talks.rules_for_event("hospitalised")``, ``pack.visits.event_triggered``, ``pack.calendar.holidays_in(2025)``,
``pack.approvals["dues_reduction"].final_step``, ``pack.dues.monthly_amount("staff", Decimal("4200"))``.

Reference documentation for every key: ``docs/policy-packs.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from partycare.policy.calendar import Calendar, Interval, MonthDay
from partycare.policy.conditions import BOOLEAN_FIELDS, Condition, evaluate

SCHEMA_VERSION = 1

# ----------------------------------------------------------------------------------------------------------------
# Vocabulary (docs/domain-vocabulary.md) and the pack's own enumerations, each with its Chinese label.
# tests/policy/test_schema_vocabulary.py checks that every Literal below has exactly these labels.
# ----------------------------------------------------------------------------------------------------------------

EventKind = Literal[
    "joined",
    "became_full_member",
    "transferred_in",
    "transferred_out",
    "position_change",
    "new_hire",
    "retired",
    "hospitalised",
    "serious_illness",
    "family_accident",
    "disaster",
    "bereavement",
    "wedding",
    "hardship",
    "setback",
    "ideological_fluctuation",
    "conflict",
    "work_mistake",
    "warning_signs",
    "honoured",
    "disciplined",
    "complaint_received",
    "missed_org_life",
    "dues_arrears",
    "returned_home",
    "terminally_ill",
    "deceased",
]
EVENT_LABELS: dict[str, str] = {
    "joined": "入党",
    "became_full_member": "转正",
    "transferred_in": "转入组织关系",
    "transferred_out": "转出组织关系",
    "position_change": "职务调整/岗位变动",
    "new_hire": "新入职",
    "retired": "退休",
    "hospitalised": "患病住院",
    "serious_illness": "身患重病",
    "family_accident": "家庭意外/重大变故",
    "disaster": "自然灾害/事故",
    "bereavement": "丧事",
    "wedding": "婚事",
    "hardship": "生活遇到特殊困难",
    "setback": "遭遇重大挫折/工作遇到问题",
    "ideological_fluctuation": "思想波动",
    "conflict": "矛盾和意见分歧",
    "work_mistake": "工作失误",
    "warning_signs": "苗头性倾向性问题",
    "honoured": "获得表彰",
    "disciplined": "受到组织处理/纪律处分",
    "complaint_received": "群众有不良反映",
    "missed_org_life": "无故不参加组织生活",
    "dues_arrears": "不正常交纳党费",
    "returned_home": "流动党员外出返家",
    "terminally_ill": "临终",
    "deceased": "去世",
}

# Who acts. Resolved by the obligations engine from posts (OrgPost) and role grants (RoleGrant).
ActorRole = Literal[
    "leader",
    "org_admin",
    "general_secretary",
    "branch_secretary",
    "committee_member",
    "org_head",
    "group_leader",
    "assigned_contact",
    "member",
]
ACTOR_LABELS: dict[str, str] = {
    "leader": "党员领导干部",
    "org_admin": "党委组织部",
    "general_secretary": "党总支/二级党委书记",
    "branch_secretary": "党支部书记",
    "committee_member": "党支部委员",
    "org_head": "所在党组织负责人",
    "group_leader": "党小组长",
    "assigned_contact": "指定联系人",
    "member": "党员本人",
}

# Whom a duty is owed to, relative to the acting person.
Relation = Literal[
    "members_of_branch",
    "members_of_group",
    "members_in_subtree",
    "branch_secretaries_in_subtree",
    "branch_committee_members",
    "general_secretaries_in_charge",
    "branch_secretaries_in_charge",
    "cadres_in_charge",
    "staff_in_charge",
    "leadership_peers",
    "linked_members",
]
RELATION_LABELS: dict[str, str] = {
    "members_of_branch": "本支部每一名党员",
    "members_of_group": "本党小组每一名党员",
    "members_in_subtree": "所辖范围内的党员",
    "branch_secretaries_in_subtree": "所属各党支部书记",
    "branch_committee_members": "本支部委员",
    "general_secretaries_in_charge": "分管单位的党总支书记",
    "branch_secretaries_in_charge": "分管单位的党支部书记",
    "cadres_in_charge": "分管中层干部",
    "staff_in_charge": "分管科室负责人及工作人员",
    "leadership_peers": "领导班子其他成员",
    "linked_members": "直接联系的党员",
}

# Organisation levels in approval chains and decisions. `parent` = the next organisation above the member's branch
# whatever its kind (二级党组织); `committee` = the root 党委/党工委; `org_department` = its 组织部.
Level = Literal[
    "self", "group", "branch", "general_branch", "secondary_committee", "parent", "committee", "org_department"
]
LEVEL_LABELS: dict[str, str] = {
    "self": "本人",
    "group": "党小组",
    "branch": "党支部",
    "general_branch": "党总支",
    "secondary_committee": "二级党委",
    "parent": "上一级党组织（二级党组织）",
    "committee": "党委",
    "org_department": "党委组织部",
}

TalkMode = Literal["individual", "group"]
TALK_MODE_LABELS: dict[str, str] = {"individual": "单独谈心", "group": "集体谈话"}

ContactMode = Literal["home_visit", "phone", "letter", "message"]
CONTACT_MODE_LABELS: dict[str, str] = {
    "home_visit": "上门走访",
    "phone": "电话联系",
    "letter": "书信联系",
    "message": "短信/消息",
}

BirthdayAction = Literal["renew_oath", "birthday_card", "greeting_message", "birthday_party"]
BIRTHDAY_ACTION_LABELS: dict[str, str] = {
    "renew_oath": "重温入党誓词",
    "birthday_card": "赠送入党生日卡",
    "greeting_message": "发送慰问短信",
    "birthday_party": "举办政治生日会",
}

CaseType = Literal[
    "dues_reduction",
    "assistance",
    "difficulty_registration",
    "fund_use",
    "subsidy",
    "loan",
    "commendation",
    "honorary_member",
]
CASE_TYPE_LABELS: dict[str, str] = {
    "dues_reduction": "党费减免",
    "assistance": "困难帮扶/救助申请",
    "difficulty_registration": "困难党员认定",
    "fund_use": "帮扶专项资金使用",
    "subsidy": "生活补贴",
    "loan": "无息借款",
    "commendation": "推选表彰",
    "honorary_member": "荣誉党员认定",
}

StepAction = Literal[
    "apply",
    "nominate",
    "review",
    "discuss",
    "democratic_review",
    "opinion",
    "approve",
    "decide",
    "notice",
    "report",
    "notify",
    "pay",
]
STEP_ACTION_LABELS: dict[str, str] = {
    "apply": "个人申请",
    "nominate": "推荐提名",
    "review": "审核",
    "discuss": "讨论",
    "democratic_review": "民主评议",
    "opinion": "提出意见",
    "approve": "审批",
    "decide": "研究决定",
    "notice": "公示",
    "report": "逐级申报",
    "notify": "通知结果",
    "pay": "发放",
}
# What may follow the final decision.
AFTER_FINAL_ACTIONS = ("notice", "notify", "pay")
FINAL_ACTIONS = ("approve", "decide")

FundSource = Literal[
    "retained_dues",
    "dues_allocation",
    "special_budget",
    "party_building_budget",
    "government_allocation",
    "member_donations",
    "org_donations",
    "social_donations",
    "collective_economy",
]
FUND_SOURCE_LABELS: dict[str, str] = {
    "retained_dues": "本级留存党费",
    "dues_allocation": "党费划拨/返还（上级或区管党费）",
    "special_budget": "专项经费（年度预算）",
    "party_building_budget": "党建工作经费",
    "government_allocation": "财政划拨/补贴",
    "member_donations": "党员捐赠",
    "org_donations": "党组织捐赠",
    "social_donations": "社会捐助/募集/赞助",
    "collective_economy": "村集体经济",
}

AwardCategory = Literal[
    "advanced_org", "excellent_member", "excellent_party_worker", "excellent_secretary", "excellent_talent"
]
AWARD_CATEGORY_LABELS: dict[str, str] = {
    "advanced_org": "先进基层党组织",
    "excellent_member": "优秀共产党员",
    "excellent_party_worker": "优秀党务工作者",
    "excellent_secretary": "优秀党组织书记",
    "excellent_talent": "优秀人才",
}

DisclosureTopic = Literal[
    "elections",
    "major_decisions",
    "member_development",
    "dues_collection",
    "dues_management",
    "dues_use",
    "relief_lists",
    "commendations",
    "difficulty_registration",
]
DISCLOSURE_TOPIC_LABELS: dict[str, str] = {
    "elections": "换届选举",
    "major_decisions": "重要事项决定",
    "member_development": "发展党员",
    "dues_collection": "党费收缴",
    "dues_management": "党费管理",
    "dues_use": "党费使用",
    "relief_lists": "救助名单",
    "commendations": "表彰结果",
    "difficulty_registration": "困难党员申报",
}

DisclosureChannel = Literal["meetings", "documents", "notice_board", "website"]
DISCLOSURE_CHANNEL_LABELS: dict[str, str] = {
    "meetings": "会议公开",
    "documents": "文件公开",
    "notice_board": "党务公开栏",
    "website": "网站",
}

PairingMode = Literal["member_pairing", "one_to_one", "many_to_one", "org_pairing", "volunteer", "urban_rural"]
PAIRING_MODE_LABELS: dict[str, str] = {
    "member_pairing": "党员结对帮扶",
    "one_to_one": "一帮一/一对一",
    "many_to_one": "多帮一",
    "org_pairing": "党组织结对共建",
    "volunteer": "党员志愿者行动",
    "urban_rural": "城乡党组织结对",
}

RectificationAction = Literal["interview_reminder", "deadline_rectification", "accountability"]
RECTIFICATION_ACTION_LABELS: dict[str, str] = {
    "interview_reminder": "约谈提醒",
    "deadline_rectification": "限期整改",
    "accountability": "情况严重的追责问责",
}

AssessedSubject = Literal["org_secretary", "secondary_org", "branch", "leadership_team", "cadre"]
ASSESSED_SUBJECT_LABELS: dict[str, str] = {
    "org_secretary": "基层党组织书记",
    "secondary_org": "二级单位党组织",
    "branch": "党支部",
    "leadership_team": "领导班子",
    "cadre": "班子成员",
}

# Assessments that live outside the pack but can be the subject of a linkage rule.
EXTERNAL_ASSESSMENTS: dict[str, str] = {"leader_annual": "领导干部年度考核"}

ALL_LABELS: dict[str, dict[str, str]] = {
    "EventKind": EVENT_LABELS,
    "ActorRole": ACTOR_LABELS,
    "Relation": RELATION_LABELS,
    "Level": LEVEL_LABELS,
    "TalkMode": TALK_MODE_LABELS,
    "ContactMode": CONTACT_MODE_LABELS,
    "BirthdayAction": BIRTHDAY_ACTION_LABELS,
    "CaseType": CASE_TYPE_LABELS,
    "StepAction": STEP_ACTION_LABELS,
    "FundSource": FUND_SOURCE_LABELS,
    "AwardCategory": AWARD_CATEGORY_LABELS,
    "DisclosureTopic": DISCLOSURE_TOPIC_LABELS,
    "DisclosureChannel": DISCLOSURE_CHANNEL_LABELS,
    "PairingMode": PAIRING_MODE_LABELS,
    "RectificationAction": RECTIFICATION_ACTION_LABELS,
    "AssessedSubject": ASSESSED_SUBJECT_LABELS,
}


def literal_values(literal: Any) -> tuple[str, ...]:
    return tuple(get_args(literal))


# ----------------------------------------------------------------------------------------------------------------
# Scalars
# ----------------------------------------------------------------------------------------------------------------

CENT = Decimal("0.01")


def _to_money(value: Any) -> Any:
    """Money is yuan with at most 2 decimals, written as a string ("80.00") or a whole number (3000) — never a float,
    because a YAML float like 0.1 is already inexact before we see it."""
    if isinstance(value, bool | float):
        raise ValueError(
            f'金额须写成带引号的字符串，如 "80.00" / money must be a quoted string like "80.00", not {value!r}'
        )
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"'{value}' 不是金额 / '{value}' is not an amount of money") from None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"'{value}' 不是金额 / '{value}' is not an amount of money")
    if value < 0:
        raise ValueError(f"金额不能为负：{value} / money cannot be negative: {value}")
    if value != value.quantize(CENT):
        raise ValueError(f"金额最多两位小数：{value} / money has at most 2 decimal places: {value}")
    return value.quantize(CENT)


def _to_rate(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError(f'比例须写成带引号的字符串，如 "0.5" / rates are quoted strings like "0.5", not {value!r}')
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"'{value}' 不是比例 / '{value}' is not a rate") from None
    if not rate.is_finite() or not 0 <= rate <= 100:
        raise ValueError(f"比例须在 0 到 100 之间：{value} / rate must be between 0 and 100 percent: {value}")
    return rate


Money = Annotated[Decimal, BeforeValidator(_to_money), PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
Percent = Annotated[Decimal, BeforeValidator(_to_rate), PlainSerializer(lambda d: str(d), return_type=str)]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegInt = Annotated[int, Field(ge=0)]


def _iso_date(value: Any) -> Any:
    # The YAML loader keeps dates as text so that 2020-02-30 becomes a path-named error here, not a parser crash.
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"'{value}' 不是有效日期（YYYY-MM-DD）/ '{value}' is not a valid date (YYYY-MM-DD)"
            ) from None
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]


def _typed_list(*values: Any) -> list[Any]:
    """A fresh default list (typed Any so one helper serves every Literal-typed list field)."""
    return list(values)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ----------------------------------------------------------------------------------------------------------------
# Sources and defaults
# ----------------------------------------------------------------------------------------------------------------


class SourceRef(Strict):
    """Where a rule comes from. ``seed`` names a source document of this product (shared/seeds/NNN_*.txt) and
    ``quote`` is verbatim text from it (tests check every quote against the seed). ``doc`` names an outside
    regulation used for a default (then ``seed`` is absent)."""

    seed: str | None = Field(default=None, pattern=r"^\d{3}$")
    part: str | None = None  # for seeds holding several documents (003): 第一篇 … 第五篇
    para: str
    quote: str = ""
    doc: str | None = None

    @model_validator(mode="after")
    def _one_origin(self) -> SourceRef:
        if (self.seed is None) == (self.doc is None):
            raise ValueError("source 须写 seed（来源文件编号）或 doc（外部文件）之一 / give exactly one of seed or doc")
        if self.seed is not None and not self.quote.strip():
            raise ValueError("引用 seed 时须给出原文 quote / a seed source needs a verbatim quote")
        return self

    def label(self) -> str:
        origin = f"来源{self.seed}" if self.seed else self.doc
        part = f" {self.part}" if self.part else ""
        return f"{origin}{part} {self.para}"


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


# One source or several; always a list once validated (a plain union would put its member names into error paths).
Sources = Annotated[list[SourceRef], BeforeValidator(_as_list), Field(min_length=1)]


class Rule(Strict):
    """Base of every rule: a source and the documented defaults.

    ``defaulted`` maps a key of this rule to the reason a default was taken, e.g.
    ``{within_days: "原文未规定期限，取30日"}``. Keys must name fields of the rule.
    """

    source: Sources
    defaulted: dict[str, str] = Field(default_factory=dict)
    note: str | None = None

    @model_validator(mode="after")
    def _defaulted_keys_exist(self) -> Rule:
        own = set(type(self).model_fields) - {"source", "defaulted", "note"}
        unknown = sorted(set(self.defaulted) - own)
        if unknown:
            raise ValueError(
                f"defaulted 中的键 {', '.join(unknown)} 不是本条规则的字段 / defaulted names keys this rule does not "
                f"have: {', '.join(unknown)} (fields: {', '.join(sorted(own))})"
            )
        return self

    @property
    def refs(self) -> list[SourceRef]:
        """The rule's sources (``source`` is always a list once validated)."""
        return self.source


class Audience(Strict):
    """Whom a duty is owed to: the union of ``relations`` (relative to whoever acts), narrowed by ``where``.
    Only members on the roll (roll_state = active) unless a rule says otherwise."""

    relations: list[Relation] = Field(default_factory=lambda: _typed_list("members_of_branch"), min_length=1)
    where: Condition | None = None

    def matches(self, record: Any, as_of: dt.date, facts: Any = None) -> bool:
        return evaluate(self.where, record, as_of, facts)


def _check_unique_ids(items: list[Any], what: str) -> None:
    ids = [i.id for i in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what} 中 id 重复：{', '.join(dupes)} / duplicate ids in {what}: {', '.join(dupes)}")


# ----------------------------------------------------------------------------------------------------------------
# Metadata
# ----------------------------------------------------------------------------------------------------------------


class DocumentRef(Strict):
    """One source document combined into a pack (seed 003 holds several)."""

    seed: str = Field(pattern=r"^\d{3}$")
    part: str | None = None
    institution: str
    title: str
    number: str | None = None
    issued_on: Date | None = None


class Metadata(Strict):
    name: str  # short display name, e.g. 西安财经学院（2018）
    institution: str
    title: str
    number: str | None = None  # 文号, e.g. 西财党发〔2018〕16号
    adopted_on: Date | None = None  # 审议通过
    issued_on: Date | None = None  # 印发
    effective_from: Date
    supersedes: list[str] = Field(default_factory=list)  # slugs or document numbers this pack replaces
    source_seed: str = Field(pattern=r"^\d{3}$")
    documents: list[DocumentRef] = Field(default_factory=list)
    basis: list[str] = Field(default_factory=list)  # higher-level documents the source cites (根据…)
    defaulted: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _dates(self) -> Metadata:
        if self.adopted_on and self.issued_on and self.adopted_on > self.issued_on:
            raise ValueError("审议通过日期晚于印发日期 / adopted_on is after issued_on")
        unknown = sorted(set(self.defaulted) - set(type(self).model_fields))
        if unknown:
            raise ValueError(
                f"defaulted 中的键不存在：{', '.join(unknown)} / defaulted names unknown keys: {', '.join(unknown)}"
            )
        return self


# ----------------------------------------------------------------------------------------------------------------
# Talks (谈心谈话)
# ----------------------------------------------------------------------------------------------------------------


class PeriodicTalk(Rule):
    """``by`` must talk with each person in ``whom`` at least ``times`` per ``interval``."""

    id: RuleId
    by: ActorRole
    whom: Audience
    interval: Interval
    times: PositiveInt = 1
    modes: list[TalkMode] = Field(default_factory=lambda: _typed_list("individual", "group"), min_length=1)


class EventItem(Strict):
    """One entry of a 必谈/必访 list: the seed's wording and the life events it maps to."""

    label: str
    events: list[EventKind] = Field(min_length=1)
    source: SourceRef | None = None


class EventDuty(Rule):
    """A named list (四必谈, 五必访 …): when one of the events happens to a member, ``by`` must act within
    ``within_days`` days."""

    id: RuleId
    name: str | None = None
    by: ActorRole
    within_days: PositiveInt
    items: list[EventItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_repeated_event(self) -> EventDuty:
        seen: list[str] = [e for item in self.items for e in item.events]
        dupes = sorted({e for e in seen if seen.count(e) > 1})
        if dupes:
            raise ValueError(
                f"同一清单中事件重复：{', '.join(dupes)} / events listed twice in one list: {', '.join(dupes)}"
            )
        return self

    @property
    def events(self) -> list[str]:
        return [e for item in self.items for e in item.events]


class TalkEventDuty(EventDuty):
    modes: list[TalkMode] = Field(default_factory=lambda: _typed_list("individual", "group"), min_length=1)


class VisitEventDuty(EventDuty):
    modes: list[ContactMode] = Field(default_factory=lambda: _typed_list("home_visit"), min_length=1)


class RequestedTalk(Rule):
    """约谈: a member asks a leader for a talk; it must be arranged within ``deadline_days``."""

    by: list[ActorRole] = Field(min_length=1)
    deadline_days: PositiveInt


@dataclass(frozen=True)
class EventRuleRef:
    """A flattened (duty, item) pair for one event kind — what the obligations engine iterates."""

    event: str
    duty: EventDuty
    item: EventItem

    @property
    def refs(self) -> list[SourceRef]:
        return [self.item.source] if self.item.source else self.duty.refs


def _rules_for_event(duties: list[Any], event: str) -> list[EventRuleRef]:
    return [EventRuleRef(event=event, duty=d, item=item) for d in duties for item in d.items if event in item.events]


class Talks(Strict):
    periodic: list[PeriodicTalk] = Field(default_factory=list)
    event_triggered: list[TalkEventDuty] = Field(default_factory=list)
    requested: RequestedTalk | None = None

    @model_validator(mode="after")
    def _ids(self) -> Talks:
        _check_unique_ids(self.periodic, "talks.periodic")
        _check_unique_ids(self.event_triggered, "talks.event_triggered")
        return self

    def rules_for_event(self, event: str) -> list[EventRuleRef]:
        return _rules_for_event(self.event_triggered, event)

    def triggering_events(self) -> set[str]:
        return {e for d in self.event_triggered for e in d.events}


# ----------------------------------------------------------------------------------------------------------------
# Visits (走访慰问)
# ----------------------------------------------------------------------------------------------------------------


class PeriodicVisit(Rule):
    id: RuleId
    by: ActorRole
    whom: Audience
    interval: Interval
    times: PositiveInt = 1
    modes: list[ContactMode] = Field(default_factory=lambda: _typed_list("home_visit"), min_length=1)


class HolidayVisit(Rule):
    """Visits around holidays: within ``days_before`` … ``days_after`` of each listed holiday."""

    id: RuleId
    holidays: list[Code] = Field(min_length=1)
    by: ActorRole
    whom: Audience
    days_before: NonNegInt = 0
    days_after: NonNegInt = 0


class TerminalVisit(Rule):
    """临终关怀: visit or comfort by suitable means when a member is terminally ill."""

    by: ActorRole
    within_days: PositiveInt


class Condolence(Rule):
    """亡故吊唁: attend / send condolences after a member's death, with condolence money."""

    by: ActorRole
    within_days: PositiveInt
    attend: bool = True
    comfort_family: bool = False
    assist_funeral: bool = False
    amount: Money | None = None  # None: "一定数额", decided case by case
    gifts: bool = False
    funded_from: list[FundSource] = Field(default_factory=list)
    report_up_for_honour_holders: bool = False  # 功勋荣誉获得者: 逐级报告，由授予组织安排


class EndOfLife(Strict):
    terminal_visit: TerminalVisit | None = None
    condolence: Condolence | None = None


class Visits(Strict):
    periodic: list[PeriodicVisit] = Field(default_factory=list)
    holiday: list[HolidayVisit] = Field(default_factory=list)
    event_triggered: list[VisitEventDuty] = Field(default_factory=list)
    end_of_life: EndOfLife = Field(default_factory=EndOfLife)

    @model_validator(mode="after")
    def _ids(self) -> Visits:
        _check_unique_ids(self.periodic, "visits.periodic")
        _check_unique_ids(self.holiday, "visits.holiday")
        _check_unique_ids(self.event_triggered, "visits.event_triggered")
        return self

    def rules_for_event(self, event: str) -> list[EventRuleRef]:
        return _rules_for_event(self.event_triggered, event)

    def triggering_events(self) -> set[str]:
        return {e for d in self.event_triggered for e in d.events}


# ----------------------------------------------------------------------------------------------------------------
# Political care and people
# ----------------------------------------------------------------------------------------------------------------


class PoliticalBirthday(Rule):
    """入党纪念日 (anniversary of ``joined_on``): greet ``lead_days`` before it at the latest."""

    by: list[ActorRole] = Field(min_length=1)
    lead_days: NonNegInt
    actions: list[BirthdayAction] = Field(min_length=1)


class OathCeremony(Rule):
    """预备党员面向党旗宣誓, within ``within_days`` of joining."""

    by: ActorRole
    within_days: PositiveInt


class BirthdayCelebrations(Rule):
    """集体过生日: the branch celebrates members' birthdays; ``cadences`` lists the allowed rhythms, the first is
    the default the branch gets unless it chooses another."""

    by: ActorRole
    cadences: list[Literal["month", "quarter"]] = Field(min_length=1)


class NeedsSurvey(Rule):
    by: ActorRole
    whom: Audience = Field(default_factory=Audience)
    interval: Interval = "year"
    also_ad_hoc: bool = False  # 不定期对部分党员调查
    keeps_file: bool = False  # 建立党员需求管理档案


class PreferredGroup(Strict):
    label: str
    where: Condition | None = None  # None when no member field expresses it (e.g. 专家人才)


class LeaderLinks(Rule):
    """党员领导干部直接联系党员 (and/or 基层党组织联系点)."""

    by: ActorRole = "leader"
    min_members: PositiveInt | None = None
    min_orgs: PositiveInt | None = None
    preferred: list[PreferredGroup] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_linked(self) -> LeaderLinks:
        if self.min_members is None and self.min_orgs is None:
            raise ValueError("min_members 与 min_orgs 至少填一项 / give min_members or min_orgs")
        return self


class Medal(Rule):
    """A commemorative medal or certificate given when ``where`` holds on ``measured_on`` of the award year."""

    id: RuleId
    name: str
    where: Condition
    measured_on: MonthDay | None = None
    requires_good_standing: bool = False  # 一贯表现良好: confirmed by the awarding organisation
    awarded_by: Level
    needs_central_deployment: bool = False  # 按中央统一部署或省委报经中央批准后颁发


class HonoraryMembers(Rule):
    """荣誉党员: eligible members may apply; the organisation keeps in touch as below."""

    eligibility: Condition
    by_application: bool = True
    checkups_per_year: NonNegInt = 0
    young_contact: bool = False
    young_contact_max_age: PositiveInt | None = None
    briefing_interval: Interval | None = None  # 上门通报党支部工作
    materials_interval: Interval | None = None  # 送学习资料
    managed_by: list[Level] = Field(default_factory=list)


# ----------------------------------------------------------------------------------------------------------------
# Money to members
# ----------------------------------------------------------------------------------------------------------------


class Subsidy(Rule):
    id: RuleId
    name: str
    amount: Money | None = None  # None: "一定数额"
    per: Literal["month", "year", "once"]
    beneficiary: Literal["member", "minor_children", "family"] = "member"
    where: Condition
    roll_states: list[Literal["active", "deceased"]] = Field(
        default_factory=lambda: _typed_list("active"), min_length=1
    )
    funded_from: list[FundSource] = Field(default_factory=list)
    until_child_age: PositiveInt | None = None
    chain: CaseType | None = None


class OnDutySupport(Rule):
    """因公殉职、牺牲党员的家庭和因公伤残党员 (the yearly child allowance itself is a Subsidy)."""

    file_per_household: bool = False  # 逐户逐人建档立卡
    designated_contact: bool = False  # 明确专人联系
    education_priority: bool = False  # 子女入园入学予以照顾
    medical_help_for_family: bool = False  # 父母、配偶、子女生病就医给予适当帮助
    martyr_assessment_help: bool = False  # 符合烈士/见义勇为条件的帮助评定
    injured_medical_convenience: bool = False  # 因公伤残: 就诊就医、康复训练便利
    injured_branch_care_if_difficult: bool = False
    responsible: list[Level] = Field(default_factory=list)


class Stipend(Rule):
    """E.g. 兼职党支部书记工作补贴: ``amount`` per ``per`` (branch or person) per ``period``."""

    id: RuleId
    name: str
    recipient: Literal["part_time_branch_secretary", "part_time_org_secretary"]
    secretary_where: Condition | None = None  # e.g. teaching-staff branches only
    per: Literal["branch", "person"]
    period: Literal["year", "month"] = "year"
    amount: Money | None = None
    requires_assessment_pass: bool = True
    uses: list[str] = Field(default_factory=list)
    decided_by: Level = "org_department"


# ----------------------------------------------------------------------------------------------------------------
# Dues
# ----------------------------------------------------------------------------------------------------------------


class DuesBracket(Strict):
    up_to: Money | None = None  # inclusive upper bound of monthly income; None = no upper bound
    rate_percent: Percent


class DuesTable(Rule):
    """Monthly dues for members matching ``categories`` (member category) and ``where``; the first matching table
    of ``dues.tables`` applies. Either brackets (percent of the ``basis`` income) or a fixed amount."""

    id: RuleId
    label: str
    categories: list[Literal["staff", "student", "retired", "other"]] = Field(default_factory=list)
    where: Condition | None = None
    basis: Literal["salary_after_tax", "pension", "fixed"]
    brackets: list[DuesBracket] = Field(default_factory=list)
    fixed_amount: Money | None = None

    @model_validator(mode="after")
    def _shape(self) -> DuesTable:
        if self.basis == "fixed":
            if self.fixed_amount is None or self.brackets:
                raise ValueError("basis 为 fixed 时只填 fixed_amount / a fixed table has fixed_amount and no brackets")
            return self
        if not self.brackets or self.fixed_amount is not None:
            raise ValueError("按收入计算时须给出 brackets / an income-based table needs brackets (and no fixed_amount)")
        bounds = [b.up_to for b in self.brackets]
        if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
            raise ValueError("只有最后一档可以不设上限（up_to 省略）/ only the last bracket may be open-ended")
        finite = [b for b in bounds if b is not None]
        if finite != sorted(set(finite)):
            raise ValueError("各档 up_to 须严格递增 / bracket bounds must increase")
        return self

    def amount_for(self, income: Decimal) -> Decimal:
        if self.basis == "fixed":
            assert self.fixed_amount is not None
            return self.fixed_amount
        for bracket in self.brackets:
            if bracket.up_to is None or income <= bracket.up_to:
                return (income * bracket.rate_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        raise AssertionError("validated tables end with an open bracket")


class DuesReduction(Rule):
    who_may_apply: Condition
    chain: CaseType = "dues_reduction"
    max_months: PositiveInt | None = None  # reductions expire; re-apply after


class Dues(Strict):
    tables: list[DuesTable] = Field(default_factory=list)
    reduction: DuesReduction | None = None

    @model_validator(mode="after")
    def _ids(self) -> Dues:
        _check_unique_ids(self.tables, "dues.tables")
        return self

    def table_for(self, category: str, record: Any = None, as_of: dt.date | None = None) -> DuesTable | None:
        for table in self.tables:
            if table.categories and category not in table.categories:
                continue
            if table.where is not None and (
                record is None or not evaluate(table.where, record, as_of or dt.date.today())
            ):
                continue
            return table
        return None

    def monthly_amount(
        self, category: str, income: Decimal, record: Any = None, as_of: dt.date | None = None
    ) -> Decimal | None:
        table = self.table_for(category, record, as_of)
        return None if table is None else table.amount_for(income)


# ----------------------------------------------------------------------------------------------------------------
# Approval chains
# ----------------------------------------------------------------------------------------------------------------


class ApprovalStep(Strict):
    action: StepAction
    level: Level
    role: ActorRole | None = None
    collective: bool = False  # 集体研究决定 (a meeting, not one person)
    final: bool = False  # the decision; only notice/notify/pay may follow
    notice_days: PositiveInt | None = None  # for action=notice: 公示天数
    label: str | None = None

    @model_validator(mode="after")
    def _notice_days(self) -> ApprovalStep:
        if self.action == "notice" and self.notice_days is None:
            raise ValueError("公示步骤须写 notice_days / a notice step needs notice_days")
        if self.action != "notice" and self.notice_days is not None:
            raise ValueError("只有公示步骤有 notice_days / only notice steps have notice_days")
        if self.final and self.action not in FINAL_ACTIONS:
            raise ValueError(
                f"最终步骤须为审批或研究决定，而不是 '{self.action}' / the final step must be approve or decide, "
                f"not '{self.action}'"
            )
        return self


class ApprovalChain(Rule):
    steps: list[ApprovalStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _final_step(self) -> ApprovalChain:
        finals = [i for i, s in enumerate(self.steps) if s.final]
        if not finals:
            raise ValueError(
                "审批链缺少最终决定步骤（须有一步 final: true）/ the chain has no final decision step "
                "(mark one step final: true)"
            )
        if len(finals) > 1:
            raise ValueError("审批链只能有一个最终步骤 / a chain has exactly one final step")
        after = [s.action for s in self.steps[finals[0] + 1 :] if s.action not in AFTER_FINAL_ACTIONS]
        if after:
            raise ValueError(
                f"最终决定之后只能公示、通知或发放，不能再 {', '.join(after)} / after the final decision only "
                f"notice, notify or pay may follow, not {', '.join(after)}"
            )
        return self

    @property
    def final_step(self) -> ApprovalStep:
        return next(s for s in self.steps if s.final)

    @property
    def final_is_collective(self) -> bool:
        return self.final_step.collective

    @property
    def requires_democratic_review(self) -> bool:
        return any(s.action == "democratic_review" for s in self.steps)

    @property
    def notice_days(self) -> int:
        """Total public-notice days (0 when the chain has no 公示)."""
        return sum(s.notice_days or 0 for s in self.steps)


# ----------------------------------------------------------------------------------------------------------------
# Fund, ledger, pairing, assistance
# ----------------------------------------------------------------------------------------------------------------


class FundCategory(Strict):
    code: Code
    name: str
    where: Condition | None = None


class LoanScheme(Rule):
    """无息借贷、定期还本、滚动使用."""

    interest_free: bool = True
    rolling: bool = True
    for_whom: Condition | None = None
    purpose: str
    term_months: PositiveInt | None = None
    max_amount: Money | None = None
    chain: CaseType | None = None


class Fund(Rule):
    name: str
    sources: list[FundSource] = Field(min_length=1)
    categories: list[FundCategory] = Field(default_factory=list)
    budget_by: Level | None = None  # who draws up the annual budget
    budget_control: Literal["stop", "warn"]
    decided_by: Level
    decision_collective: bool = False
    chain: CaseType | None = None
    dedicated_account: bool = False
    designated_manager: bool = False
    audit_interval: Interval | None = None
    publish_relief_list: bool = False
    purposes: list[str] = Field(default_factory=list)
    loans: LoanScheme | None = None

    @model_validator(mode="after")
    def _categories(self) -> Fund:
        codes = [c.code for c in self.categories]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"资金类别代码重复：{', '.join(dupes)} / duplicate category codes: {', '.join(dupes)}")
        return self


class Ledger(Rule):
    """困难党员信息台账."""

    categories: list[str] = Field(min_length=1)
    review_interval: Interval | None = None
    dynamic: bool = True  # 动态管理: entries and exits
    records: list[Literal["family", "income", "causes", "living_conditions"]] = Field(default_factory=list)
    registration_chain: CaseType | None = None

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in BOOLEAN_FIELDS]
        if unknown:
            raise ValueError(
                f"台账类别须为党员的是/否字段，'{unknown[0]}' 不是 / ledger categories are member yes/no fields; "
                f"'{unknown[0]}' is not one of {', '.join(BOOLEAN_FIELDS)}"
            )
        return value


class Pairing(Rule):
    modes: list[PairingMode] = Field(min_length=1)
    measures_required: bool = True  # 确定帮扶对象、制定帮扶措施、落实帮扶责任


class AssistanceMeasure(Rule):
    """分类帮扶: for members matching ``where``, these measures."""

    id: RuleId
    label: str
    where: Condition | None = None
    measures: list[str] = Field(min_length=1)


# ----------------------------------------------------------------------------------------------------------------
# Incentives
# ----------------------------------------------------------------------------------------------------------------


class Dimension(Strict):
    code: Code
    name: str
    weight: int = Field(ge=0, le=100)
    items: list[str] = Field(default_factory=list)


class AssessmentTemplate(Rule):
    id: RuleId
    name: str
    subject: AssessedSubject
    interval: Interval = "year"
    dimensions: list[Dimension] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights(self) -> AssessmentTemplate:
        total = sum(d.weight for d in self.dimensions)
        if total != 100:
            raise ValueError(f"各维度权重之和须为 100，现为 {total} / dimension weights must sum to 100, not {total}")
        return self


class Grade(Strict):
    name: str
    min_score: int = Field(ge=0, le=100)


class GradeRef(Strict):
    assessment: str
    grade: str


class Linkage(Rule):
    """``when`` a grade is given in one assessment, ``requires`` a grade in another (e.g. a leader's annual 优秀
    requires a party-building 优秀)."""

    id: RuleId
    when: GradeRef
    requires: GradeRef


class Rectification(Rule):
    grades: list[str] = Field(min_length=1)
    actions: list[RectificationAction] = Field(min_length=1)
    deadline_days: PositiveInt


class Bonus(Rule):
    """Performance bonus as a percentage of the full amount per grade; the unspent rest carried into next year."""

    ratios: dict[str, int]
    carry_over: bool = False
    rounding: Literal["fen", "yuan"] = "fen"

    @field_validator("ratios")
    @classmethod
    def _percentages(cls, value: dict[str, int]) -> dict[str, int]:
        bad = [k for k, v in value.items() if not 0 <= v <= 100]
        if bad:
            raise ValueError(
                f"奖金比例须在 0–100 之间：{', '.join(bad)} / ratios are percentages 0–100: {', '.join(bad)}"
            )
        return value

    def amount(self, grade: str, full: Decimal) -> Decimal:
        raw = full * Decimal(self.ratios[grade]) / 100
        return raw.quantize(Decimal("1") if self.rounding == "yuan" else CENT, rounding=ROUND_HALF_UP).quantize(CENT)


class Commendation(Rule):
    """推选表彰: a campaign every ``every_years`` years, decided before ``before`` (七一 → "07-01");
    ``every_years`` None = no fixed cycle (适时表彰 only)."""

    every_years: PositiveInt | None = None
    before: MonthDay | None = None
    categories: list[AwardCategory] = Field(default_factory=list)
    timely: bool = False  # 适时/及时性表彰 outside the cycle
    forms: list[str] = Field(default_factory=list)
    chain: CaseType | None = None
    honour_roll: bool = False  # 党员风采录
    excludes_discipline_impact: bool = True  # sanctions block only while their impact period lasts

    @model_validator(mode="after")
    def _cycle(self) -> Commendation:
        if self.every_years is not None and not self.categories:
            raise ValueError("定期表彰须列出表彰类别 categories / a periodic commendation needs categories")
        return self

    def campaign_years(self, first_year: int, last_year: int, anchor_year: int) -> list[int]:
        """Years in ``first_year``…``last_year`` with a campaign, counting cycles from ``anchor_year``."""
        if self.every_years is None:
            return []
        return [y for y in range(first_year, last_year + 1) if (y - anchor_year) % self.every_years == 0]


class Award(Rule):
    id: RuleId
    name: str
    recipients: list[Literal["member", "org"]] = Field(min_length=1)
    material: bool = True
    benefits: list[str] = Field(default_factory=list)


class Incentives(Strict):
    assessments: list[AssessmentTemplate] = Field(default_factory=list)
    grades: list[Grade] = Field(default_factory=list)
    linkage: list[Linkage] = Field(default_factory=list)
    rectification: Rectification | None = None
    bonus: Bonus | None = None
    commendation: Commendation | None = None
    awards: list[Award] = Field(default_factory=list)

    @model_validator(mode="after")
    def _grades(self) -> Incentives:
        _check_unique_ids(self.assessments, "incentives.assessments")
        _check_unique_ids(self.linkage, "incentives.linkage")
        _check_unique_ids(self.awards, "incentives.awards")
        names = [g.name for g in self.grades]
        if len(set(names)) != len(names):
            raise ValueError("等次名称重复 / grade names repeat")
        scores = [g.min_score for g in self.grades]
        if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores):
            raise ValueError(
                "等次须按分数线从高到低排列且分数线互不相同 / grades go from highest to lowest threshold, all different"
            )
        if self.grades and scores[-1] != 0:
            raise ValueError("最低等次的分数线须为 0 / the lowest grade starts at 0")
        return self

    def grade_for(self, score: Decimal | int) -> str:
        for g in self.grades:
            if score >= g.min_score:
                return g.name
        raise ValueError(score)


# ----------------------------------------------------------------------------------------------------------------
# Organisation-wide
# ----------------------------------------------------------------------------------------------------------------


class Disclosure(Rule):
    topics: list[DisclosureTopic] = Field(min_length=1)
    channels: list[DisclosureChannel] = Field(default_factory=list)


class Activity(Rule):
    """A recurring organisational activity (座谈会, 集中培训 …)."""

    id: RuleId
    name: str
    by: Level
    interval: Interval
    times: PositiveInt = 1
    min_days: PositiveInt | None = None


class Supervision(Rule):
    by: Level
    interval: Interval | None = None  # None: 定期或不定期
    in_assessment: bool = False  # 列入基层党建述职评议考核
    annual_plan_required: bool = False  # 列入年度党建工作计划
    accountability: bool = False  # 对责任不落实的问责


class NotEncoded(Strict):
    """A provision read and deliberately not turned into a rule, with the reason."""

    source: Sources
    reason: str


# ----------------------------------------------------------------------------------------------------------------
# The pack
# ----------------------------------------------------------------------------------------------------------------


class PolicyPackInvalid(Exception):
    """Cross-reference problems found after every field validated; carries path-named issues."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems  # (path, zh, en)
        super().__init__("; ".join(f"{p}: {zh} / {en}" for p, zh, en in problems))


class PolicyPack(Strict):
    schema_version: Literal[1] = 1
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)
    version: str = Field(pattern=r"^\d+(\.\d+)*$", max_length=20)
    metadata: Metadata
    calendar: Calendar = Field(default_factory=Calendar)
    talks: Talks = Field(default_factory=Talks)
    visits: Visits = Field(default_factory=Visits)
    political_birthday: PoliticalBirthday | None = None
    oath_ceremony: OathCeremony | None = None
    birthday_celebrations: BirthdayCelebrations | None = None
    needs_survey: NeedsSurvey | None = None
    leader_links: LeaderLinks | None = None
    medals: list[Medal] = Field(default_factory=list)
    honorary_members: HonoraryMembers | None = None
    subsidies: list[Subsidy] = Field(default_factory=list)
    on_duty_support: OnDutySupport | None = None
    stipends: list[Stipend] = Field(default_factory=list)
    dues: Dues = Field(default_factory=Dues)
    approvals: dict[CaseType, ApprovalChain] = Field(default_factory=dict)
    fund: Fund | None = None
    ledger: Ledger | None = None
    pairing: Pairing | None = None
    assistance: list[AssistanceMeasure] = Field(default_factory=list)
    incentives: Incentives = Field(default_factory=Incentives)
    disclosure: Disclosure | None = None
    activities: list[Activity] = Field(default_factory=list)
    supervision: Supervision | None = None
    not_encoded: list[NotEncoded] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> PolicyPack:
        problems = list(_reference_problems(self))
        if problems:
            raise PolicyPackInvalid(problems)
        return self

    # -- accessors -----------------------------------------------------------------------------------------------

    @property
    def effective_from(self) -> dt.date:
        return self.metadata.effective_from

    def rules(self) -> Iterator[tuple[str, Rule]]:
        """Every rule in the pack with its path (e.g. ``talks.periodic[0]``), for listing sources and defaults."""
        yield from _walk_rules(self, "")

    def defaults(self) -> list[tuple[str, str, str]]:
        """(path, key, reason) for every parameter the pack took as a documented default."""
        out = [("metadata", k, v) for k, v in self.metadata.defaulted.items()]
        out += [("calendar", k, v) for k, v in self.calendar.defaulted.items()]
        out += [(path, k, v) for path, rule in self.rules() for k, v in rule.defaulted.items()]
        return out

    def to_content(self) -> dict[str, Any]:
        """JSON-safe content as stored on an activation (Decimals as strings, dates ISO)."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=False)


def _walk_rules(obj: Any, path: str) -> Iterator[tuple[str, Rule]]:
    if isinstance(obj, Rule):
        yield path, obj
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            if name in ("source", "defaulted"):
                continue
            yield from _walk_rules(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _walk_rules(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from _walk_rules(item, f"{path}.{key}")


# Which acting roles a relation makes sense for ("a leader talks with each member of *his* branch" has no meaning:
# a leader has no branch in that sense). Relations not listed work for anyone.
RELATION_ACTORS: dict[str, tuple[str, ...]] = {
    "members_of_branch": ("branch_secretary", "committee_member", "org_head", "assigned_contact"),
    "branch_committee_members": ("branch_secretary", "org_head"),
    "members_of_group": ("group_leader",),
    "branch_secretaries_in_subtree": ("general_secretary", "org_admin", "leader"),
    "general_secretaries_in_charge": ("leader",),
    "branch_secretaries_in_charge": ("leader",),
    "cadres_in_charge": ("leader",),
    "staff_in_charge": ("leader",),
    "leadership_peers": ("leader",),
    "linked_members": ("leader",),
}


def _audience_problems(path: str, by: str, whom: Audience) -> Iterator[tuple[str, str, str]]:
    for j, rel in enumerate(whom.relations):
        allowed = RELATION_ACTORS.get(rel)
        if allowed and by not in allowed:
            yield (
                f"{path}.whom.relations[{j}]",
                f"'{RELATION_LABELS[rel]}' 不适用于 {ACTOR_LABELS[by]}",
                f"relation '{rel}' does not apply to '{by}' (only {', '.join(allowed)})",
            )


def _reference_problems(pack: PolicyPack) -> Iterator[tuple[str, str, str]]:
    """Checks that need the whole pack: references between sections and calendar-dependent intervals."""
    cal = pack.calendar
    holiday_codes = {h.code for h in cal.holidays}

    audience_rules: tuple[tuple[str, Sequence[PeriodicTalk | PeriodicVisit | HolidayVisit]], ...] = (
        ("talks.periodic", pack.talks.periodic),
        ("visits.periodic", pack.visits.periodic),
        ("visits.holiday", pack.visits.holiday),
    )
    for section, duties in audience_rules:
        for i, duty in enumerate(duties):
            yield from _audience_problems(f"{section}[{i}]", duty.by, duty.whom)
    if pack.needs_survey:
        yield from _audience_problems("needs_survey", pack.needs_survey.by, pack.needs_survey.whom)

    for path, rule in pack.rules():
        for key in ("interval", "review_interval", "audit_interval", "briefing_interval", "materials_interval"):
            interval = getattr(rule, key, None)
            if interval == "semester" and not cal.semesters:
                yield (
                    f"{path}.{key}",
                    "按学期执行需要在 calendar.semesters 中定义学期",
                    "'semester' needs calendar.semesters to define the terms",
                )
        for key in ("chain", "registration_chain"):
            chain = getattr(rule, key, None)
            if chain is not None and chain not in pack.approvals:
                yield (
                    f"{path}.{key}",
                    f"引用的审批链 '{chain}' 未在 approvals 中定义",
                    f"refers to approval chain '{chain}', which approvals does not define",
                )

    for i, hv in enumerate(pack.visits.holiday):
        for j, code in enumerate(hv.holidays):
            if code not in holiday_codes:
                yield (
                    f"visits.holiday[{i}].holidays[{j}]",
                    f"节日 '{code}' 未在 calendar.holidays 中定义",
                    f"holiday '{code}' is not defined in calendar.holidays "
                    f"({', '.join(sorted(holiday_codes)) or 'none'})",
                )

    inc = pack.incentives
    grade_names = [g.name for g in inc.grades]
    assessments = {a.id for a in inc.assessments} | set(EXTERNAL_ASSESSMENTS)
    for i, link in enumerate(inc.linkage):
        for side in ("when", "requires"):
            ref: GradeRef = getattr(link, side)
            if ref.assessment not in assessments:
                yield (
                    f"incentives.linkage[{i}].{side}.assessment",
                    f"考核 '{ref.assessment}' 未定义",
                    f"assessment '{ref.assessment}' is not defined (known: {', '.join(sorted(assessments))})",
                )
            if ref.grade not in grade_names:
                yield (
                    f"incentives.linkage[{i}].{side}.grade",
                    f"等次 '{ref.grade}' 不在 incentives.grades 中",
                    f"grade '{ref.grade}' is not one of {', '.join(grade_names) or 'the (empty) grades'}",
                )
    if inc.rectification:
        for j, g in enumerate(inc.rectification.grades):
            if g not in grade_names:
                yield (
                    f"incentives.rectification.grades[{j}]",
                    f"等次 '{g}' 不在 incentives.grades 中",
                    f"grade '{g}' is not one of {', '.join(grade_names) or 'the (empty) grades'}",
                )
    if inc.bonus:
        for g in inc.bonus.ratios:
            if g not in grade_names:
                yield (
                    f"incentives.bonus.ratios.{g}",
                    f"等次 '{g}' 不在 incentives.grades 中",
                    f"grade '{g}' is not one of {', '.join(grade_names) or 'the (empty) grades'}",
                )
        missing = [g for g in grade_names if g not in inc.bonus.ratios]
        if missing:
            yield (
                "incentives.bonus.ratios",
                f"缺少等次 {', '.join(missing)} 的奖金比例",
                f"no bonus ratio for grade(s) {', '.join(missing)}",
            )
    if inc.assessments and not inc.grades:
        yield ("incentives.grades", "有考核模板时须定义等次", "assessments need grades")
