"""Forms for the member screens. They parse input; `partycare.members.services` validates and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partycare.accounts.scope import CHANGE
from partycare.members.models import (
    CONDITION_FIELDS,
    DisciplineKind,
    Gender,
    LifeEventKind,
    Member,
    MemberCategory,
    MemberStatus,
    RollState,
)
from partycare.members.selectors import MemberFilter
from partycare.members.services import MEMBER_ORG_KINDS
from partycare.orgs.forms import IndentedOrgChoiceField
from partycare.orgs.selectors import organisations_visible_to
from partycare.web.forms import StyledForm, StyledModelForm

# Translatable labels (the model's verbose names are Chinese literals).
CONDITION_LABELS = {
    "lives_alone": _("独居"),
    "widowed_or_alone": _("鳏寡孤独"),
    "frail_sick_disabled": _("老弱病残"),
    "mobile": _("流动党员"),
    "honorary": _("荣誉党员"),
    "injured_on_duty": _("因公伤残"),
    "in_difficulty": _("生活困难"),
    "has_pension": _("有养老金"),
    "has_fixed_income": _("有固定工资(补贴)"),
    "receives_dibao": _("领取低保"),
    "unemployed": _("下岗失业"),
}

MEMBER_LABELS = {
    "org": _("所在党组织"),
    "name": _("姓名"),
    "gender": _("性别"),
    "ethnicity": _("民族"),
    "birth_date": _("出生日期"),
    "id_number": _("身份证号"),
    "phone": _("手机号"),
    "joined_on": _("入党日期"),
    "full_member_on": _("转正日期"),
    "status": _("党员状态"),
    "category": _("人员类别"),
    "position": _("职务/岗位"),
    "leadership_level": _("干部层级"),
    "roll_state": _("在册状态"),
    "deceased_on": _("去世日期"),
    "died_on_duty": _("因公殉职/牺牲"),
    "note": _("备注"),
    **CONDITION_LABELS,
}

ALL_ROLL_STATES = "all"


def _with_any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


class MemberFilterForm(StyledForm):
    """The member list's query string; the same string drives the export."""

    q = forms.CharField(
        label=_("姓名或身份证号"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("姓名，或完整的身份证号")}),
    )
    org = IndentedOrgChoiceField(queryset=None, label=_("党组织"), required=False, empty_label=_("全部"))
    category = forms.ChoiceField(label=_("人员类别"), required=False, choices=_with_any(MemberCategory.choices))
    status = forms.ChoiceField(label=_("党员状态"), required=False, choices=_with_any(MemberStatus.choices))
    roll_state = forms.ChoiceField(
        label=_("在册状态"), required=False, choices=[*RollState.choices, (ALL_ROLL_STATES, _("全部"))]
    )
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=_with_any(Gender.choices))
    condition = forms.ChoiceField(label=_("生活状况"), required=False, choices=_with_any(CONDITION_LABELS.items()))
    age_min = forms.IntegerField(label=_("年龄不小于"), required=False, min_value=0, max_value=150)

    ADVANCED = ("org", "category", "status", "roll_state", "gender", "condition", "age_min")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = organisations_visible_to(user)

    def to_filter(self) -> MemberFilter:
        data = self.cleaned_data
        roll_state = data.get("roll_state") or RollState.ACTIVE
        return MemberFilter(
            q=data.get("q") or "",
            org_id=data["org"].pk if data.get("org") else None,
            category=data.get("category") or "",
            status=data.get("status") or "",
            roll_state="" if roll_state == ALL_ROLL_STATES else roll_state,
            gender=data.get("gender") or "",
            condition=data.get("condition") or "",
            age_min=data.get("age_min"),
        )

    def advanced_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ADVANCED]

    def has_advanced_filters(self) -> bool:
        if not self.is_bound or not self.is_valid():
            return False
        return any(self.cleaned_data.get(name) not in (None, "") for name in self.ADVANCED if name != "roll_state") or (
            self.cleaned_data.get("roll_state") not in ("", RollState.ACTIVE)
        )


class MemberForm(StyledModelForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    org = IndentedOrgChoiceField(queryset=None, label=_("所在党组织"))

    class Meta:
        model = Member
        fields = (
            "org",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number",
            "phone",
            "joined_on",
            "full_member_on",
            "status",
            "category",
            "position",
            "leadership_level",
            "roll_state",
            "deceased_on",
            "died_on_duty",
            *CONDITION_FIELDS,
            "note",
        )
        labels = MEMBER_LABELS
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    SENSITIVE = ("id_number", "phone")
    CONDITIONS = ("died_on_duty", *CONDITION_FIELDS)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = organisations_visible_to(user, CHANGE).filter(kind__in=MEMBER_ORG_KINDS)
        self.fields["org"].queryset = orgs
        if not self.instance.pk and "org" not in self.initial:
            only = list(orgs[:2])
            if len(only) == 1:  # a branch secretary of a branch without groups has one choice: make it
                self.initial["org"] = only[0]
        if self.instance.pk:
            # The stored numbers are never put into the page: reading them unmasked is an audited act of its own.
            for name, masked in (("id_number", self.instance.id_number_masked), ("phone", self.instance.phone_masked)):
                self.initial[name] = ""
                self.fields[name].widget.attrs["placeholder"] = masked
                self.fields[name].help_text = _("留空表示不修改")

    def service_data(self) -> dict[str, Any]:
        """cleaned_data as the service expects it: `org` apart, unchanged sensitive fields left out."""
        data = dict(self.cleaned_data)
        data.pop("org", None)
        if self.instance.pk:
            for name in self.SENSITIVE:
                if not data.get(name):
                    data.pop(name, None)
        return data

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.CONDITIONS and name != "note"]

    def condition_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONDITIONS]


class LifeEventForm(StyledForm):
    kind = forms.ChoiceField(label=_("事件"), choices=LifeEventKind.choices)
    occurred_on = forms.DateField(label=_("发生日期"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisciplineForm(StyledForm):
    kind = forms.ChoiceField(label=_("处理/处分"), choices=DisciplineKind.choices)
    decided_on = forms.DateField(label=_("决定日期"))
    impact_until = forms.DateField(label=_("影响期至"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HonourForm(StyledForm):
    title = forms.CharField(label=_("荣誉称号"), max_length=100)
    level = forms.CharField(label=_("级别"), max_length=30, required=False, help_text=_("如：国家级、省级、厅级、校级"))
    awarded_on = forms.DateField(label=_("授予日期"))
    awarded_by = forms.CharField(label=_("授予单位"), max_length=100, required=False)
