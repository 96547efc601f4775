"""Query-string parsing for the list endpoints. Narrowing only: scope is applied first, by the selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partycare.care.models import (
    Greeting,
    GreetingOccasion,
    LeaderLink,
    LinkKind,
    Reason,
    Talk,
    TalkForm,
    TalkRequest,
    Visit,
)
from partycare.members.models import (
    CONDITION_FIELDS,
    Gender,
    LifeEvent,
    LifeEventKind,
    MemberCategory,
    MemberStatus,
    RollState,
)
from partycare.members.selectors import MemberFilter
from partycare.obligations.models import Notification, Obligation, ObligationKind, ObligationState
from partycare.orgs.models import Organisation, OrgKind, OrgStatus


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="计算年龄、党龄和下一个政治生日所依据的日期（默认今天，上海时间）"
    )


class MemberListQuerySerializer(AsOfQuerySerializer):
    """The member list's query string; the same narrowing as the UI list and the export (MemberFilter)."""

    q = serializers.CharField(required=False, allow_blank=True, help_text="姓名包含，或完整的身份证号（精确匹配）")
    org = serializers.IntegerField(required=False, min_value=1, help_text="组织ID：该组织及其下级组织的党员")
    category = serializers.ChoiceField(choices=MemberCategory.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=MemberStatus.choices, required=False, allow_blank=True)
    roll_state = serializers.ChoiceField(
        choices=RollState.choices,
        required=False,
        allow_blank=True,
        default=RollState.ACTIVE,
        help_text="默认只列在册党员；传空值列出全部",
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    condition = serializers.ChoiceField(
        choices=list(CONDITION_FIELDS.items()), required=False, allow_blank=True, help_text="生活状况/特殊情况之一"
    )
    age_min = serializers.IntegerField(required=False, min_value=0, max_value=150, help_text="年龄不小于")

    def to_member_filter(self) -> MemberFilter:
        data: dict[str, Any] = self.validated_data
        return MemberFilter(
            q=data.get("q", ""),
            org_id=data.get("org"),
            category=data.get("category", ""),
            status=data.get("status", ""),
            roll_state=data.get("roll_state", RollState.ACTIVE),
            gender=data.get("gender", ""),
            condition=data.get("condition", ""),
            age_min=data.get("age_min"),
            as_of=data.get("as_of"),
        )


def parse_query(serializer_class: type[serializers.Serializer], query: Any) -> serializers.Serializer:
    """Validated query-string serializer; a bad parameter is a structured 400 naming it."""
    serializer = serializer_class(data=query)
    serializer.is_valid(raise_exception=True)
    return serializer


def as_of_from(query: Any) -> dt.date | None:
    return parse_query(AsOfQuerySerializer, query).validated_data.get("as_of")


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class OrganisationSubtreeFilter(IdFilter):
    """An organisation id standing for its whole subtree (path prefix), like the member list's `org`."""

    def __init__(self, *, path_field: str, **kwargs: Any) -> None:
        self.path_field = path_field
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in (None, ""):
            return qs
        path = Organisation.objects.filter(pk=value).values_list("path", flat=True).first()
        return qs.filter(**{f"{self.path_field}__startswith": path}) if path else qs.none()


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("组织类型"))
    status = django_filters.ChoiceFilter(choices=OrgStatus.choices, label=_("状态"))
    within = OrganisationSubtreeFilter(path_field="path", label=_("某组织及其下级"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "status", "within"]


class LifeEventFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=LifeEventKind.choices, label=_("事件类型（可多选）"))
    occurred_on = django_filters.DateFromToRangeFilter(label=_("发生日期范围"))

    class Meta:
        model = LifeEvent
        fields = ["kind", "occurred_on"]


class ScopedLifeEventFilterSet(LifeEventFilterSet):
    member = IdFilter(field_name="member_id", label=_("党员ID"))
    org = OrganisationSubtreeFilter(path_field="member__org__path", label=_("组织ID（含下级组织）"))


# --- care records ------------------------------------------------------------------------------------------------
class TalkPersonFilter(IdFilter):
    """A member who took part in a talk, on either side (谈话人 or 谈话对象)."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in (None, ""):
            return qs
        # Subqueries on the two link tables rather than joins, so a talk never appears twice in a page.
        talked_with = Talk.participants.through.objects.filter(member_id=value).values("talk_id")
        talked = Talk.talkers.through.objects.filter(member_id=value).values("talk_id")
        return qs.filter(Q(pk__in=talked_with) | Q(pk__in=talked))


class TalkFilterSet(django_filters.FilterSet):
    member = TalkPersonFilter(label=_("党员ID（谈话人或谈话对象）"))
    org = OrganisationSubtreeFilter(path_field="org__path", label=_("组织ID（含下级组织）"))
    held_on = django_filters.DateFromToRangeFilter(label=_("谈话日期范围"))
    form = django_filters.ChoiceFilter(choices=TalkForm.choices, label=_("形式"))
    reason = django_filters.ChoiceFilter(choices=Reason.choices, label=_("缘由"))

    class Meta:
        model = Talk
        fields = ["member", "org", "held_on", "form", "reason"]


class VisitFilterSet(django_filters.FilterSet):
    member = IdFilter(field_name="member_id", label=_("走访对象的党员ID"))
    org = OrganisationSubtreeFilter(path_field="org__path", label=_("组织ID（含下级组织）"))
    visited_on = django_filters.DateFromToRangeFilter(label=_("走访日期范围"))
    reason = django_filters.ChoiceFilter(choices=Reason.choices, label=_("缘由"))

    class Meta:
        model = Visit
        fields = ["member", "org", "visited_on", "reason"]


class GreetingFilterSet(django_filters.FilterSet):
    member = IdFilter(field_name="member_id", label=_("党员ID"))
    org = OrganisationSubtreeFilter(path_field="org__path", label=_("组织ID（含下级组织）"))
    greeted_on = django_filters.DateFromToRangeFilter(label=_("日期范围"))
    occasion = django_filters.ChoiceFilter(choices=GreetingOccasion.choices, label=_("场合"))

    class Meta:
        model = Greeting
        fields = ["member", "org", "greeted_on", "occasion"]


class TalkRequestFilterSet(django_filters.FilterSet):
    mine = django_filters.ChoiceFilter(
        choices=[("member", _("我提出的")), ("leader", _("向我提出的"))],
        method="filter_mine",
        label=_("只看我作为申请人（member）或被约谈的领导干部（leader）的约谈；不传则为权限范围内的全部"),
    )
    arranged = django_filters.BooleanFilter(
        field_name="arranged_on", lookup_expr="isnull", exclude=True, label=_("已安排")
    )
    requested_on = django_filters.DateFromToRangeFilter(label=_("申请日期范围"))
    org = OrganisationSubtreeFilter(path_field="org__path", label=_("组织ID（含下级组织）"))

    class Meta:
        model = TalkRequest
        fields = ["mine", "arranged", "requested_on", "org"]

    def filter_mine(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return qs
        member_id = getattr(getattr(self.request, "user", None), "member_id", None)
        if member_id is None:
            return qs.none()  # a staff account neither asks for talks nor is asked
        return qs.filter(**{f"{value}_id": member_id})


class LeaderLinkFilterSet(django_filters.FilterSet):
    leader = IdFilter(field_name="leader_id", label=_("领导干部的党员ID"))
    member = IdFilter(field_name="member_id", label=_("联系党员的党员ID"))
    kind = django_filters.ChoiceFilter(choices=LinkKind.choices, label=_("类型"))
    org = OrganisationSubtreeFilter(path_field="org__path", label=_("组织ID（含下级组织）"))

    class Meta:
        model = LeaderLink
        fields = ["leader", "member", "kind", "org"]


# --- obligations -------------------------------------------------------------------------------------------------
class ObligationListQuerySerializer(AsOfQuerySerializer):
    mine = serializers.BooleanField(
        required=False,
        default=False,
        help_text="只看本人作为责任人（或所任书记职务的组织）的、已开始的待办和逾期事项；与 state 同用时按 state 筛选",
    )
    as_of = serializers.DateField(required=False, help_text="mine=true 时“已开始”所依据的日期（默认今天，上海时间）")


class ObligationFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=ObligationKind.choices, label=_("类别（可多选）"))
    state = django_filters.MultipleChoiceFilter(choices=ObligationState.choices, label=_("状态（可多选）"))
    due_on = django_filters.DateFromToRangeFilter(label=_("截止日期范围"))
    responsible_org = OrganisationSubtreeFilter(path_field="responsible_path", label=_("责任组织ID（含下级组织）"))
    subject_member = IdFilter(field_name="subject_member_id", label=_("对象党员ID"))

    class Meta:
        model = Obligation
        fields = ["kind", "state", "due_on", "responsible_org", "subject_member"]


class ComplianceQuerySerializer(serializers.Serializer):
    org = serializers.IntegerField(min_value=1, help_text="组织ID：统计该组织及其下级组织的责任事项")
    as_of = serializers.DateField(required=False, help_text="统计截至的日期（默认今天，上海时间）")
    kind = serializers.ChoiceField(
        choices=ObligationKind.choices, required=False, allow_blank=True, help_text="只统计某一类别"
    )


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("只看未读"))

    class Meta:
        model = Notification
        fields = ["unread"]
