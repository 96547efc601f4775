"""Forms for the duty screens: list filters, the waiver, the supervision page's query, the calendar year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partycare.obligations.models import ObligationKind, ObligationState
from partycare.obligations.selectors import DutyFilter
from partycare.orgs.models import Organisation
from partycare.web.forms import StyledForm

KIND_LABELS = {
    ObligationKind.TALK: _("谈心谈话"),
    ObligationKind.VISIT: _("走访慰问"),
    ObligationKind.GREETING: _("政治生日"),
    ObligationKind.BIRTHDAY: _("生日祝福"),
    ObligationKind.REQUESTED_TALK: _("约谈安排"),
    ObligationKind.LEADER_LINK: _("直接联系党员"),
    ObligationKind.MEDAL: _("光荣在党50年纪念章"),
    ObligationKind.CONDOLENCE: _("亡故吊唁"),
    ObligationKind.NEEDS_SURVEY: _("需求调查"),
}
STATE_LABELS = {
    ObligationState.OPEN: _("待办"),
    ObligationState.OVERDUE: _("已逾期"),
    ObligationState.DONE: _("已完成"),
    ObligationState.WAIVED: _("已免除"),
}
ALL_STATES = "all"
MINE, IN_SCOPE = "mine", "all"


def _with_any(choices: Any, label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("全部")), *choices]


class DutyFilterForm(StyledForm):
    scope = forms.ChoiceField(
        label=_("范围"), required=False, choices=[(MINE, _("我负责的")), (IN_SCOPE, _("管理范围内全部"))]
    )
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=_with_any(KIND_LABELS.items()))
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("待办和逾期")), *STATE_LABELS.items(), (ALL_STATES, _("全部"))],
    )
    due_from = forms.DateField(label=_("截止日期从"), required=False)
    due_to = forms.DateField(label=_("截止日期到"), required=False)
    holiday = forms.SlugField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("due_from") and data.get("due_to") and data["due_from"] > data["due_to"]:
            self.add_error("due_to", _("结束日期不能早于开始日期"))
        return data

    def to_filter(self, org: Organisation | None = None) -> DutyFilter:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        state = data.get("state") or ""
        states: tuple[str, ...] = ()
        if state == ALL_STATES:
            states = tuple(ObligationState.values)
        elif state:
            states = (state,)
        return DutyFilter(
            mine=data.get("scope", MINE) != IN_SCOPE,
            kind=data.get("kind") or "",
            states=states,
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            org=org,
            holiday=data.get("holiday") or "",
        )


class WaiveForm(StyledForm):
    reason = forms.CharField(
        label=_("免除理由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：党员长期出国、长期住院无法谈话等。理由和免除人将记入审计日志。"),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("请填写免除理由"))
        return reason


class ComplianceForm(StyledForm):
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    as_of = forms.DateField(label=_("统计截至"), required=False)
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=_with_any(KIND_LABELS.items()))

    def as_of_or(self, default: dt.date) -> dt.date:
        return (self.cleaned_data.get("as_of") if self.is_valid() else None) or default

    def kind_value(self) -> str:
        return str(self.cleaned_data.get("kind") or "") if self.is_valid() else ""


class CalendarForm(StyledForm):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1925, max_value=2076)
