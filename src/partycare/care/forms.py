"""Forms for recording care work. They parse input; `partycare.care.services` checks scope and rules, and saves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partycare.care import selectors
from partycare.care.models import GreetingAction, GreetingOccasion, LinkKind, Reason, TalkForm
from partycare.members.models import Member
from partycare.orgs.forms import IndentedOrgChoiceField
from partycare.orgs.models import Organisation
from partycare.web.forms import StyledForm

# Translatable labels (the models' choice labels are Chinese literals).
REASON_LABELS = {
    Reason.PERIODIC: _("定期"),
    Reason.EVENT: _("事件触发(必谈/必访)"),
    Reason.HOLIDAY: _("节日"),
    Reason.REQUESTED: _("党员约谈"),
    Reason.END_OF_LIFE: _("临终关怀"),
    Reason.CONDOLENCE: _("亡故吊唁"),
    Reason.OTHER: _("其他"),
}
TALK_FORM_LABELS = {TalkForm.INDIVIDUAL: _("个别谈心"), TalkForm.GROUP: _("集体谈话")}
GREETING_ACTION_LABELS = {
    GreetingAction.CARD: _("赠送入党生日卡"),
    GreetingAction.MESSAGE: _("发送慰问短信"),
    GreetingAction.OATH: _("重温入党誓词"),
    GreetingAction.MEETING: _("集体过政治生日/生日会"),
}
OCCASION_LABELS = {GreetingOccasion.POLITICAL_BIRTHDAY: _("政治生日"), GreetingOccasion.BIRTHDAY: _("生日")}
LINK_KIND_LABELS = {LinkKind.DIRECT: _("直接联系党员"), LinkKind.IN_CHARGE: _("分管中层干部")}
PICKER_SIZE = 8
PICKER_LIMIT = 500


def member_label(member: Member, home_org_id: int | None = None) -> str:
    """A name, with the member's organisation when it is not the one the whole list is drawn from."""
    if member.org_id == home_org_id:
        return member.name
    return f"{member.name}（{member.org.short_name or member.org.name}）"


class MemberChoiceField(forms.ModelChoiceField):
    home_org_id: int | None = None

    def label_from_instance(self, obj: Member) -> str:
        return member_label(obj, self.home_org_id)


class MembersChoiceField(forms.ModelMultipleChoiceField):
    home_org_id: int | None = None

    def label_from_instance(self, obj: Member) -> str:
        return member_label(obj, self.home_org_id)


def _picker(required: bool = True, label: Any = "", help_text: Any = "") -> MembersChoiceField:
    return MembersChoiceField(
        queryset=Member.objects.none(),
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.SelectMultiple(attrs={"size": PICKER_SIZE, "data-member-picker": ""}),
    )


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class RecordForm(StyledForm):
    """Shared part of the talk and visit forms: the organisation recorded for, whose members are offered."""

    org = IndentedOrgChoiceField(
        queryset=Organisation.objects.none(),
        label=_("以哪个组织名义登记"),
        help_text=_("更换组织后，下面的党员名单随之更新"),
    )
    # Whose members are offered (the record's organisation, or a unit below it).
    pick = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The duty this record answers (from a one-click link); only used to go back to it.
    obligation = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason_event = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, user: Any, org: Organisation | None, pick: Organisation | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.org = org
        self.pick = pick
        self.fields["org"].queryset = selectors.recordable_orgs(user)
        # A list of thousands of names helps nobody (and weighs megabytes on a phone): ask for a smaller unit.
        self.too_many = pick is None or selectors.members_to_choose(user, pick).count() > PICKER_LIMIT

    def _label_within(self, *names: str) -> None:
        for name in names:
            self.fields[name].home_org_id = self.pick.pk if self.pick else None  # type: ignore[attr-defined]

    def members(self) -> Any:
        return Member.objects.none() if self.too_many else selectors.members_to_choose(self.user, self.pick)

    def talkers(self) -> Any:
        if self.too_many:
            return Member.objects.filter(pk=selectors.own_member_id(self.user)).select_related("org")
        return selectors.talkers_to_choose(self.user, self.pick)


class TalkRecordForm(RecordForm):
    held_on = forms.DateField(label=_("谈话日期"))
    form = forms.ChoiceField(label=_("形式"), choices=list(TALK_FORM_LABELS.items()))
    reason = forms.ChoiceField(label=_("缘由"), choices=list(REASON_LABELS.items()))
    talkers = _picker(label=_("谈话人"), help_text=_("可多选（按住 Ctrl 或 ⌘ 点选）"))
    participants = _picker(label=_("谈话对象"), help_text=_("一人为个别谈心；多人为集体谈话，每人的谈话任务都算完成"))
    summary = forms.CharField(
        label=_("谈话要点"),
        required=False,
        widget=_textarea(5),
        help_text=_("加密保存，仅谈话人和负责书记可查看，每次查看都记入审计日志"),
    )
    follow_ups = forms.CharField(label=_("商定的后续事项"), required=False, widget=_textarea())

    field_order = ("org", "held_on", "form", "reason", "talkers", "participants", "summary", "follow_ups")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["talkers"].queryset = self.talkers()
        self.fields["participants"].queryset = self.members()
        self._label_within("talkers", "participants")


class VisitRecordForm(RecordForm):
    visited_on = forms.DateField(label=_("走访日期"))
    member = MemberChoiceField(queryset=Member.objects.none(), label=_("走访对象"))
    visitors = _picker(required=False, label=_("走访人"), help_text=_("可多选（按住 Ctrl 或 ⌘ 点选）"))
    reason = forms.ChoiceField(label=_("缘由"), choices=list(REASON_LABELS.items()))
    holiday = forms.ChoiceField(label=_("节日"), required=False, choices=[("", "—")])
    gifts = forms.CharField(label=_("慰问品"), max_length=200, required=False)
    money = forms.DecimalField(
        label=_("慰问金(元)"), min_value=Decimal("0"), max_digits=10, decimal_places=2, initial=Decimal("0")
    )
    notes = forms.CharField(
        label=_("情况记录"),
        required=False,
        widget=_textarea(4),
        help_text=_("加密保存，仅走访人和负责书记可查看，每次查看都记入审计日志"),
    )

    field_order = ("org", "visited_on", "member", "visitors", "reason", "holiday", "gifts", "money", "notes")

    def __init__(self, *args: Any, holidays: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = self.members()
        self.fields["visitors"].queryset = self.talkers()
        self._label_within("member", "visitors")
        self.fields["holiday"].choices = [("", "—"), *(holidays or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == Reason.HOLIDAY and not data.get("holiday"):
            self.add_error("holiday", _("节日走访请选择节日"))
        return data


def _month_choices() -> list[tuple[int, str]]:
    return [(m, _("%(month)d月") % {"month": m}) for m in range(1, 13)]


class GreetingMonthForm(StyledForm):
    """Which branch, month and occasion the batch page lists (GET)."""

    org = IndentedOrgChoiceField(queryset=Organisation.objects.none(), label=_("党组织"))
    occasion = forms.ChoiceField(label=_("场合"), choices=list(OCCASION_LABELS.items()), required=False)
    year = forms.IntegerField(label=_("年度"), min_value=1950, max_value=2100)
    month = forms.TypedChoiceField(label=_("月份"), choices=_month_choices(), coerce=int)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = selectors.recordable_orgs(user)


class GreetingBatchForm(StyledForm):
    greeted_on = forms.DateField(label=_("日期"))
    action = forms.ChoiceField(label=_("方式"), choices=list(GREETING_ACTION_LABELS.items()))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    members = forms.ModelMultipleChoiceField(queryset=Member.objects.none(), label=_("党员"))

    def __init__(self, *args: Any, user: Any, org: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = selectors.members_to_choose(user, org)


class TalkRequestForm(StyledForm):
    leader = MemberChoiceField(queryset=Member.objects.none(), label=_("约谈对象（领导干部/书记）"))
    requested_on = forms.DateField(label=_("申请日期"))
    topic = forms.CharField(
        label=_("约谈事由"), required=False, widget=_textarea(4), help_text=_("仅您本人和约谈对象可见")
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = selectors.leaders_for_request(member)


class ArrangeForm(StyledForm):
    arranged_on = forms.DateField(label=_("安排谈话日期"))


class LeaderLinkForm(StyledForm):
    org = IndentedOrgChoiceField(queryset=Organisation.objects.none(), label=_("登记组织"))
    leader = MemberChoiceField(queryset=Member.objects.none(), label=_("领导干部"))
    member = MemberChoiceField(queryset=Member.objects.none(), label=_("联系党员"))
    kind = forms.ChoiceField(label=_("类型"), choices=list(LINK_KIND_LABELS.items()))
    category = forms.CharField(
        label=_("联系重点"), max_length=40, required=False, help_text=_("老党员/困难党员/专家人才/功勋荣誉")
    )
    since = forms.DateField(label=_("起始日期"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = selectors.recordable_orgs(user)
        self.fields["leader"].queryset = selectors.leaders_to_choose(user)
        self.fields["member"].queryset = selectors.members_to_choose(user, None)


class NeedsSurveyForm(StyledForm):
    member = MemberChoiceField(queryset=Member.objects.none(), label=_("党员"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    responded_on = forms.DateField(label=_("调查日期"))
    thoughts = forms.CharField(label=_("思想动态"), required=False, widget=_textarea())
    needs = forms.CharField(label=_("工作和生活需求"), required=False, widget=_textarea())

    def __init__(self, *args: Any, user: Any, org: Organisation | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.members_to_choose(user, org)


class MedalAwardForm(StyledForm):
    obligation = forms.IntegerField(widget=forms.HiddenInput)
    awarded_on = forms.DateField(label=_("颁发日期"))


class YearForm(StyledForm):
    year = forms.IntegerField(label=_("年度"), min_value=1950, max_value=2100, required=False)

    def year_or(self, default: int) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or default
