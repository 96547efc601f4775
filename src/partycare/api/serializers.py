"""Shapes of the API: parse and validate input, render output. Nothing here writes — views pass the validated data
to a service, which checks scope, validates against the domain rules and writes the audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partycare.accounts.models import Role
from partycare.common.dates import business_today
from partycare.members.models import CONDITION_FIELDS, LifeEvent, Member
from partycare.members.services import SENSITIVE_FIELDS
from partycare.orgs.models import Organisation, OrgPost
from partycare.orgs.selectors import organisations_visible_to


class RejectUnknownFieldsMixin:
    # A misspelt key is an error, not silently ignored (read-only keys sent back from a GET are still ignored).

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("未知字段")] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class ParseOnlyModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    # ModelSerializer for its field mapping only (docstrings of subclasses become schema descriptions).
    # Saving is disabled: every write goes through a service function.

    def create(self, validated_data: Any) -> Any:
        raise NotImplementedError("API writes go through a service function, never serializer.save()")

    def update(self, instance: Any, validated_data: Any) -> Any:
        raise NotImplementedError("API writes go through a service function, never serializer.save()")


# --- organisations -----------------------------------------------------------------------------------------------
@extend_schema_field(OpenApiTypes.INT)
class OrganisationRefField(serializers.Field):
    """An organisation by id. Only organisations in the caller's scope resolve; anything else "does not exist"."""

    default_error_messages = {
        "does_not_exist": _("组织不存在"),
        "incorrect_type": _("应为组织ID（整数）"),
    }

    def to_internal_value(self, data: Any) -> Organisation:
        if isinstance(data, bool):
            self.fail("incorrect_type")
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type")
        request = self.context.get("request")
        org = organisations_visible_to(getattr(request, "user", None)).filter(pk=pk).first()
        if org is None:
            self.fail("does_not_exist")
        return org

    def to_representation(self, value: Any) -> int:
        return value.pk if isinstance(value, Organisation) else int(value)


class AncestorIndex:
    """Ids and names of the ancestors of a set of organisations, fetched in one query (parent id, path name).

    Ancestor names are shown even above the caller's scope: "测试大学党委 / 文学院党总支" locates a branch for its own
    secretary, and organisation names are not personal data.
    """

    def __init__(self, orgs: Iterable[Organisation]) -> None:
        step = Organisation.steplen
        paths = {org.path[:end] for org in orgs for end in range(step, len(org.path), step)}
        rows = Organisation.objects.filter(path__in=paths).values_list("path", "pk", "name") if paths else []
        self._by_path: dict[str, tuple[int, str]] = {path: (pk, name) for path, pk, name in rows}

    def parent_id(self, org: Organisation) -> int | None:
        parent = self._by_path.get(org.path[: -Organisation.steplen])
        return parent[0] if parent else None

    def path_name(self, org: Organisation) -> str:
        step = Organisation.steplen
        names = [self._by_path[org.path[:end]][1] for end in range(step, len(org.path), step)]
        return " / ".join([*names, org.name])


class OrganisationListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        self.child.ancestors = AncestorIndex(items)  # type: ignore[union-attr]
        return super().to_representation(items)


@extend_schema_field(OpenApiTypes.INT)
class ParentOrganisationField(OrganisationRefField):
    def get_attribute(self, instance: Organisation) -> int | None:
        return self.parent.ancestors_for(instance).parent_id(instance)


class OrganisationSerializer(ParseOnlyModelSerializer):
    """A party organisation (党委 / 二级党委 / 党总支 / 党支部 / 党小组) in the tree."""

    parent = ParentOrganisationField(
        required=False, allow_null=True, help_text="上级组织ID；新建时指定，移动请用 move 接口；顶层为 null"
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    path_name = serializers.SerializerMethodField(help_text="从顶层到本组织的名称，如“测试大学党委 / 文学院党总支”")
    children_count = serializers.IntegerField(source="numchild", read_only=True)

    ancestors: AncestorIndex | None = None

    class Meta:
        model = Organisation
        fields = [
            "id",
            "parent",
            "depth",
            "path_name",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "code",
            "founded_on",
            "status",
            "status_label",
            "note",
            "children_count",
        ]
        read_only_fields = ["depth"]
        # Uniqueness of `code` is the service's to check (with the rest of the model's rules), not the parser's.
        extra_kwargs = {"code": {"validators": []}}
        list_serializer_class = OrganisationListSerializer

    def ancestors_for(self, org: Organisation) -> AncestorIndex:
        if self.ancestors is None:
            self.ancestors = AncestorIndex([org])
        return self.ancestors

    def get_path_name(self, org: Organisation) -> str:
        return self.ancestors_for(org).path_name(org)


class MoveOrganisationSerializer(InputSerializer):
    parent = OrganisationRefField(help_text="新的上级组织ID")


class OrgPostSerializer(serializers.ModelSerializer):
    """A current post (书记、副书记、委员 …) in an organisation."""

    post_label = serializers.CharField(source="get_post_display", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = OrgPost
        fields = ["id", "post", "post_label", "member", "member_name", "since", "until"]
        read_only_fields = fields


# --- members -----------------------------------------------------------------------------------------------------
class MemberSerializer(ParseOnlyModelSerializer):
    """A member as the API shows it: identifiers masked only; raw `id_number` / `phone` are accepted on write."""

    org = OrganisationRefField(help_text="所在党组织ID（党支部或党小组）")
    org_name = serializers.CharField(source="org.name", read_only=True)
    gender_label = serializers.CharField(source="get_gender_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    leadership_level_label = serializers.CharField(source="get_leadership_level_display", read_only=True)
    roll_state_label = serializers.CharField(source="get_roll_state_display", read_only=True)
    id_number = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="身份证号（只写；按 GB 11643 校验；读取时只返回脱敏值，完整值请用 reveal 接口）",
    )
    phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=32, help_text="手机号（只写；读取时只返回脱敏值）"
    )
    conditions = serializers.SerializerMethodField(help_text="生活状况/特殊情况的中文名称")
    age = serializers.SerializerMethodField(help_text="周岁（截至 as_of）")
    party_age = serializers.SerializerMethodField(help_text="党龄，自转正之日起算（截至 as_of）")
    next_political_birthday = serializers.SerializerMethodField(
        help_text="下一个政治生日（入党纪念日），as_of 当天或之后"
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "org",
            "org_name",
            "name",
            "gender",
            "gender_label",
            "ethnicity",
            "birth_date",
            "id_number",
            "id_number_masked",
            "phone",
            "phone_masked",
            "joined_on",
            "full_member_on",
            "status",
            "status_label",
            "category",
            "category_label",
            "position",
            "leadership_level",
            "leadership_level_label",
            "roll_state",
            "roll_state_label",
            "deceased_on",
            "died_on_duty",
            *CONDITION_FIELDS,
            "conditions",
            "note",
            "age",
            "party_age",
            "next_political_birthday",
            "created_at",
            "updated_at",
        ]

    @property
    def as_of(self) -> dt.date:
        return self.context.get("as_of") or business_today()

    def get_conditions(self, member: Member) -> list[str]:
        return member.conditions()

    def get_age(self, member: Member) -> int:
        return member.age(self.as_of)

    def get_party_age(self, member: Member) -> int:
        return member.party_age(self.as_of)

    def get_next_political_birthday(self, member: Member) -> dt.date:
        return member.next_political_birthday(self.as_of)


class RevealRequestSerializer(InputSerializer):
    field = serializers.ChoiceField(choices=list(SENSITIVE_FIELDS), help_text="要查看完整值的字段")


class RevealedValueSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(SENSITIVE_FIELDS))
    value = serializers.CharField(help_text="完整值；本次查看已记入审计日志")


class LifeEventSerializer(ParseOnlyModelSerializer):
    """Something that happened to a member (住院、退休、去世 …); later capabilities turn events into duties."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    org = serializers.IntegerField(source="member.org_id", read_only=True, help_text="党员所在组织ID")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = LifeEvent
        fields = [
            "id",
            "member",
            "member_name",
            "org",
            "kind",
            "kind_label",
            "occurred_on",
            "note",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["member", "recorded_by", "recorded_at"]

    def get_recorded_by_name(self, event: LifeEvent) -> str:
        return str(event.recorded_by) if event.recorded_by_id else ""


# --- the caller --------------------------------------------------------------------------------------------------
class MeMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    org = serializers.IntegerField()
    org_name = serializers.CharField()


class MeRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField()
    org = serializers.IntegerField()
    org_name = serializers.CharField()


class MeScopeSerializer(serializers.Serializer):
    org = serializers.IntegerField()
    org_name = serializers.CharField()
    path_name = serializers.CharField()
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="在该组织及其下级可做的事：view, change, record, export, ..."
    )


class MeSerializer(serializers.Serializer):
    """The calling account, its roles and the organisations its scope starts from."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    is_superuser = serializers.BooleanField()
    member = MeMemberSerializer(allow_null=True, help_text="账号对应的党员；工作人员账号为 null")
    roles = MeRoleSerializer(many=True, help_text="显式授予的角色，以及由所任党内职务推出的角色")
    organisations = MeScopeSerializer(many=True, help_text="权限范围的顶端组织（各自覆盖其下级组织）")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="在请求头中使用：Authorization: Token <token>")
