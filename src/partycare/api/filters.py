"""Query-string parsing for the list endpoints. Narrowing only: scope is applied first, by the selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
