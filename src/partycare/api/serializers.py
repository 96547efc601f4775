"""Shapes of the API: parse and validate input, render output. Nothing here writes — views pass the validated data
to a service, which checks scope, validates against the domain rules and writes the audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partycare.accounts.models import Role
from partycare.care.models import (
    Greeting,
    GreetingAction,
    GreetingOccasion,
    LeaderLink,
    MedalAward,
    NeedsSurveyResponse,
    Talk,
    TalkRequest,
    Visit,
)
from partycare.care.selectors import leaders_for_request, leaders_to_choose
from partycare.common.dates import business_today
from partycare.members.models import CONDITION_FIELDS, LifeEvent, Member
from partycare.members.selectors import life_events_visible_to, members_visible_to
from partycare.members.services import SENSITIVE_FIELDS
from partycare.obligations.models import Notification, Obligation
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


# --- references resolved within scope ----------------------------------------------------------------------------
def _caller(field: serializers.Field) -> Any:
    request = field.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.INT)
class ScopedRefField(serializers.Field):
    """An object by id, looked up only among `candidates(caller)`: anything outside the caller's scope "does not
    exist", exactly like a missing id (the answer must not tell the two apart)."""

    default_error_messages = {
        "does_not_exist": _("不存在或不在您的管理范围内"),
        "incorrect_type": _("应为ID（整数）"),
    }

    def __init__(self, *, candidates: Callable[[Any], models.QuerySet[Any]], **kwargs: Any) -> None:
        self.candidates = candidates
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("incorrect_type")
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type")
        found = self.candidates(_caller(self)).filter(pk=pk).first()
        if found is None:
            self.fail("does_not_exist")
        return found

    def to_representation(self, value: Any) -> int:
        return value.pk if isinstance(value, models.Model) else int(value)


class ScopedRefListField(serializers.ListField):
    """Several objects by id, resolved in one query among `candidates(caller)`; the error names the ids that are
    missing or out of scope. Repeated ids count once."""

    default_error_messages = {"does_not_exist": _("不存在或不在您的管理范围内：{ids}")}

    def __init__(self, *, candidates: Callable[[Any], models.QuerySet[Any]], **kwargs: Any) -> None:
        self.candidates = candidates
        super().__init__(child=serializers.IntegerField(min_value=1), **kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        found = self.candidates(_caller(self)).in_bulk(ids) if ids else {}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            self.fail("does_not_exist", ids=", ".join(map(str, missing)))
        return [found[pk] for pk in ids]

    def to_representation(self, value: Any) -> list[int]:
        items = value.all() if isinstance(value, models.manager.BaseManager) else value
        return [item.pk if isinstance(item, models.Model) else int(item) for item in items]


def _members(user: Any) -> models.QuerySet[Member]:
    return members_visible_to(user)


def _life_events(user: Any) -> models.QuerySet[LifeEvent]:
    return life_events_visible_to(user)


class MoneyField(serializers.DecimalField):
    """Yuan with two decimals, written and read as a string ("200.00"). A JSON number with a fraction arrives as a
    binary float, which cannot hold money exactly, so it is refused; whole numbers are accepted."""

    default_error_messages = {"float": _('金额请用字符串表示，如 "200.00"')}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=10, decimal_places=2, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, float):
            self.fail("float")
        return super().to_internal_value(data)


class ObjectIdField(serializers.IntegerField):
    """An id on input (resolved later by the serializer's validate()), the related object's id on output."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, **kwargs)

    def to_representation(self, value: Any) -> int:
        return value.pk if isinstance(value, models.Model) else int(value)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _display_name(user: Any) -> str:
    return str(user) if user is not None else ""


# --- talks -------------------------------------------------------------------------------------------------------
class TalkSerializer(ParseOnlyModelSerializer):
    """谈心谈话 with one member or a group (a group talk fulfils the talk duty of every participant).

    The summary (谈话要点) is write-only here: it is encrypted, and reading it is a separate request (`summary`)
    allowed only to the talkers and the responsible secretaries, and logged."""

    org = OrganisationRefField(help_text="以哪个组织的名义谈话（须在该组织有登记权限）")
    org_name = serializers.CharField(source="org.name", read_only=True)
    talkers = ScopedRefListField(candidates=_members, help_text="谈话人的党员ID（至少一人；须在您的权限范围内）")
    talkers_detail = PersonSerializer(source="talkers", many=True, read_only=True)
    participants = ScopedRefListField(
        candidates=_members, help_text="谈话对象的党员ID（一人为个别谈心，多人为集体谈话；须在您的权限范围内）"
    )
    participants_detail = PersonSerializer(source="participants", many=True, read_only=True)
    form_label = serializers.CharField(source="get_form_display", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    reason_event = ScopedRefField(
        candidates=_life_events, required=False, allow_null=True, help_text="触发谈话的事件ID（必谈）"
    )
    summary = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="谈话要点（只写；加密保存，查看请用 summary 接口）"
    )
    has_summary = serializers.SerializerMethodField(help_text="是否记录了谈话要点")
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Talk
        fields = [
            "id",
            "org",
            "org_name",
            "held_on",
            "form",
            "form_label",
            "reason",
            "reason_label",
            "reason_event",
            "talkers",
            "talkers_detail",
            "participants",
            "participants_detail",
            "summary",
            "has_summary",
            "follow_ups",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]

    def get_has_summary(self, talk: Talk) -> bool:
        return bool(talk.summary)

    def get_recorded_by_name(self, talk: Talk) -> str:
        return _display_name(talk.recorded_by)


class TalkSummarySerializer(serializers.Serializer):
    summary = serializers.CharField(help_text="谈话要点；本次查看已记入审计日志")


# --- visits ------------------------------------------------------------------------------------------------------
class VisitSerializer(ParseOnlyModelSerializer):
    """走访慰问, including holiday visits, end-of-life care and condolences. The notes (情况记录) are write-only
    here: they describe health and family circumstances; reading them is the separate, logged `notes` request."""

    org = OrganisationRefField(help_text="以哪个组织的名义走访（须在该组织有登记权限）")
    org_name = serializers.CharField(source="org.name", read_only=True)
    member = ScopedRefField(candidates=_members, help_text="走访对象的党员ID（须在您的权限范围内）")
    member_name = serializers.CharField(source="member.name", read_only=True)
    visitors = ScopedRefListField(
        candidates=_members, required=False, help_text="走访人的党员ID（可为空；须在您的权限范围内）"
    )
    visitors_detail = PersonSerializer(source="visitors", many=True, read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    reason_event = ScopedRefField(
        candidates=_life_events, required=False, allow_null=True, help_text="触发走访的事件ID（必访、吊唁）"
    )
    money = MoneyField(required=False, help_text='慰问金（元），字符串，如 "500.00"；不能为负数')
    notes = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="情况记录（只写；加密保存，查看请用 notes 接口）"
    )
    has_notes = serializers.SerializerMethodField(help_text="是否有情况记录")
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "org",
            "org_name",
            "visited_on",
            "member",
            "member_name",
            "visitors",
            "visitors_detail",
            "reason",
            "reason_label",
            "holiday",
            "reason_event",
            "gifts",
            "money",
            "notes",
            "has_notes",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]

    def get_has_notes(self, visit: Visit) -> bool:
        return bool(visit.notes)

    def get_recorded_by_name(self, visit: Visit) -> str:
        return _display_name(visit.recorded_by)


class VisitNotesSerializer(serializers.Serializer):
    notes = serializers.CharField(help_text="情况记录；本次查看已记入审计日志")


# --- greetings ---------------------------------------------------------------------------------------------------
class GreetingSerializer(ParseOnlyModelSerializer):
    """A political-birthday (or birthday) greeting to one member."""

    org_name = serializers.CharField(source="org.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    occasion_label = serializers.CharField(source="get_occasion_display", read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = Greeting
        fields = [
            "id",
            "org",
            "org_name",
            "member",
            "member_name",
            "occasion",
            "occasion_label",
            "action",
            "action_label",
            "greeted_on",
            "note",
        ]
        read_only_fields = fields


class GreetingBatchSerializer(InputSerializer):
    """Greetings to several members at once, e.g. everyone a branch meeting celebrated (集体过政治生日)."""

    org = OrganisationRefField(help_text="以哪个组织的名义（须在该组织有登记权限）")
    members = ScopedRefListField(candidates=_members, help_text="党员ID（至少一人；须在您的权限范围内）")
    greeted_on = serializers.DateField(help_text="日期（不能晚于今天）")
    occasion = serializers.ChoiceField(choices=GreetingOccasion.choices)
    action = serializers.ChoiceField(choices=GreetingAction.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


# --- requested talks ---------------------------------------------------------------------------------------------
class TalkRequestSerializer(ParseOnlyModelSerializer):
    """约谈: a member asks a leader for a talk; the leader must arrange it within the pack's deadline. The topic
    (约谈事由) is write-only: it is encrypted and may be personal."""

    org_name = serializers.CharField(source="org.name", read_only=True)
    member = ScopedRefField(
        candidates=_members, required=False, help_text="申请人的党员ID；不传则为本人（须在您的权限范围内）"
    )
    member_name = serializers.CharField(source="member.name", read_only=True)
    # Resolved in validate(): whom a member may ask depends on the member, not on the caller's scope.
    leader = ObjectIdField(help_text="约谈对象的党员ID：校级领导，或申请人所在组织及上级组织的书记、副书记")
    leader_name = serializers.CharField(source="leader.name", read_only=True)
    requested_on = serializers.DateField(required=False, help_text="申请日期（默认今天；不能晚于今天）")
    topic = serializers.CharField(write_only=True, required=False, allow_blank=True, help_text="约谈事由（只写）")

    class Meta:
        model = TalkRequest
        fields = [
            "id",
            "org",
            "org_name",
            "member",
            "member_name",
            "leader",
            "leader_name",
            "requested_on",
            "topic",
            "arranged_on",
            "talk",
        ]
        read_only_fields = ["org", "arranged_on", "talk"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        member = attrs.get("member") or getattr(_caller(self), "member", None)
        if member is None:
            raise serializers.ValidationError({"member": [_("请指定申请人（工作人员账号没有对应的党员）")]})
        leader = leaders_for_request(member).filter(pk=attrs["leader"]).first()
        if leader is None:
            raise serializers.ValidationError({"leader": [_("不是可约谈的领导干部或书记")]})
        return {
            **attrs,
            "member": member,
            "leader": leader,
            "requested_on": attrs.get("requested_on") or business_today(),
        }


class ArrangeTalkRequestSerializer(InputSerializer):
    arranged_on = serializers.DateField(help_text="安排谈话的日期（不能早于申请日期）")


# --- leader links, needs surveys, medals -------------------------------------------------------------------------
def _leaders(user: Any) -> models.QuerySet[Member]:
    return leaders_to_choose(user)


class LeaderLinkSerializer(ParseOnlyModelSerializer):
    """A leader's direct link to a member (每人至少直接联系2名党员), or a cadre the leader is in charge of."""

    org = OrganisationRefField(help_text="以哪个组织的名义登记（须在该组织有登记权限）")
    org_name = serializers.CharField(source="org.name", read_only=True)
    leader = ScopedRefField(candidates=_leaders, help_text="领导干部的党员ID（须为干部且在您的权限范围内）")
    leader_name = serializers.CharField(source="leader.name", read_only=True)
    member = ScopedRefField(candidates=_members, help_text="联系党员的党员ID（须在您的权限范围内）")
    member_name = serializers.CharField(source="member.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = LeaderLink
        fields = [
            "id",
            "org",
            "org_name",
            "leader",
            "leader_name",
            "member",
            "member_name",
            "kind",
            "kind_label",
            "category",
            "since",
            "until",
        ]
        read_only_fields = ["until"]
        validators: list[Any] = []  # the service checks the model's rules


class NeedsSurveySerializer(ParseOnlyModelSerializer):
    """A member's annual needs-survey response (需求调查). Thoughts and needs are write-only (encrypted)."""

    org_name = serializers.CharField(source="org.name", read_only=True)
    member = ScopedRefField(candidates=_members, help_text="党员ID（须在您的权限范围内）")
    member_name = serializers.CharField(source="member.name", read_only=True)
    thoughts = serializers.CharField(write_only=True, required=False, allow_blank=True, help_text="思想动态（只写）")
    needs = serializers.CharField(write_only=True, required=False, allow_blank=True, help_text="工作和生活需求（只写）")

    class Meta:
        model = NeedsSurveyResponse
        fields = ["id", "org", "org_name", "member", "member_name", "year", "responded_on", "thoughts", "needs"]
        read_only_fields = ["org"]
        validators: list[Any] = []  # one response per member and year: the service says so in its own words


class MedalAwardSerializer(ParseOnlyModelSerializer):
    """A commemorative medal actually issued (光荣在党50年 …)."""

    org_name = serializers.CharField(source="org.name", read_only=True)
    member = ScopedRefField(candidates=_members, help_text="党员ID（须在您的权限范围内）")
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = MedalAward
        fields = ["id", "org", "org_name", "member", "member_name", "medal", "year", "awarded_on"]
        read_only_fields = ["org"]
        validators: list[Any] = []


# --- obligations -------------------------------------------------------------------------------------------------
class ObligationSerializer(serializers.ModelSerializer):
    """A duty derived by the sweep: what is owed to whom, by whom, by when, and whether it was kept."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    subject_member_name = serializers.CharField(source="subject_member.name", read_only=True, allow_null=True)
    responsible_org_name = serializers.CharField(source="responsible_org.name", read_only=True)
    responsible_member_name = serializers.CharField(source="responsible_member.name", read_only=True, allow_null=True)
    on_time = serializers.BooleanField(read_only=True, help_text="已完成且不晚于截止日期")
    waived_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Obligation
        fields = [
            "id",
            "kind",
            "kind_label",
            "rule",
            "rule_label",
            "pack",
            "source",
            "subject_member",
            "subject_member_name",
            "responsible_org",
            "responsible_org_name",
            "responsible_member",
            "responsible_member_name",
            "period_key",
            "period_label",
            "trigger_event",
            "trigger_request",
            "holiday",
            "window_start",
            "due_on",
            "fulfil_until",
            "state",
            "state_label",
            "done_on",
            "on_time",
            "waived_reason",
            "waived_by",
            "waived_by_name",
            "waived_at",
            "created_on",
        ]
        read_only_fields = fields

    def get_waived_by_name(self, obligation: Obligation) -> str:
        return _display_name(obligation.waived_by)


class WaiveSerializer(InputSerializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=200, help_text="免除理由（必填），如“长期出国”“长期住院无法谈话”"
    )


class ComplianceCountsSerializer(serializers.Serializer):
    due = serializers.IntegerField(help_text="截至 as_of 应完成的事项数（不含已免除）")
    on_time = serializers.IntegerField(help_text="按时完成")
    late = serializers.IntegerField(help_text="逾期后补做完成")
    overdue = serializers.IntegerField(help_text="已逾期未完成")
    rate = serializers.FloatField(allow_null=True, help_text="落实率 = 按时完成 ÷ 应完成；无应完成事项时为 null")


class ComplianceRowSerializer(serializers.Serializer):
    org = serializers.IntegerField(allow_null=True, help_text="组织ID；null 表示本级（组织自身的责任事项）")
    label = serializers.CharField()
    due = serializers.IntegerField(help_text="截至 as_of 应完成的事项数（不含已免除）")
    on_time = serializers.IntegerField(help_text="按时完成")
    late = serializers.IntegerField(help_text="逾期后补做完成")
    overdue = serializers.IntegerField(help_text="已逾期未完成")
    done = serializers.IntegerField(help_text="已完成（按时 + 补做）")
    rate = serializers.FloatField(allow_null=True, help_text="落实率 = 按时完成 ÷ 应完成；无应完成事项时为 null")
    by_kind = serializers.DictField(child=ComplianceCountsSerializer(), help_text="按类别：类别代码 → 统计")


class ComplianceSerializer(ComplianceRowSerializer):
    """落实率 of an organisation's subtree, with one row per child subtree (and 本级)."""

    as_of = serializers.DateField()
    kind = serializers.CharField(help_text="只统计的类别；空为全部")
    children = ComplianceRowSerializer(many=True)


# --- notifications -----------------------------------------------------------------------------------------------
class NotificationSerializer(serializers.ModelSerializer):
    """An entry in the caller's own inbox about a duty that came due or went overdue."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    obligation = ObligationSerializer(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "created_on", "read_at", "obligation"]
        read_only_fields = fields


class MarkReadSerializer(InputSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        help_text="要标为已读的提醒ID（只影响本人的提醒）",
    )
    all = serializers.BooleanField(required=False, default=False, help_text="true：全部标为已读")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("all") == ("ids" in attrs):
            raise serializers.ValidationError({"ids": [_("请给出 ids，或传 all=true（二者选一）")]})
        return attrs


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="本次标为已读的提醒数")
