"""API endpoints: parse → call a selector or service → render. Scope lives in the selectors and services, so the API
answers exactly what the UI answers: lists are filtered, a single object outside scope is 404 (never 403), and an
action on a visible object that the caller may not perform is a structured 403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partycare.api.errors import LockedOut, error_responses
from partycare.api.filters import (
    AsOfQuerySerializer,
    ComplianceQuerySerializer,
    GreetingFilterSet,
    LeaderLinkFilterSet,
    LifeEventFilterSet,
    MemberListQuerySerializer,
    NotificationFilterSet,
    ObligationFilterSet,
    ObligationListQuerySerializer,
    OrganisationFilterSet,
    ScopedLifeEventFilterSet,
    TalkFilterSet,
    TalkRequestFilterSet,
    VisitFilterSet,
    as_of_from,
    parse_query,
)
from partycare.api.selectors import caller_summary, compliance_report
from partycare.api.serializers import (
    ArrangeTalkRequestSerializer,
    ComplianceSerializer,
    GreetingBatchSerializer,
    GreetingSerializer,
    LeaderLinkSerializer,
    LifeEventSerializer,
    MarkedSerializer,
    MarkReadSerializer,
    MedalAwardSerializer,
    MemberSerializer,
    MeSerializer,
    MoveOrganisationSerializer,
    NeedsSurveySerializer,
    NotificationSerializer,
    ObligationSerializer,
    OrganisationSerializer,
    OrgPostSerializer,
    RevealedValueSerializer,
    RevealRequestSerializer,
    TalkRequestSerializer,
    TalkSerializer,
    TalkSummarySerializer,
    TokenSerializer,
    VisitNotesSerializer,
    VisitSerializer,
    WaiveSerializer,
)
from partycare.api.services import issue_api_token, revoke_api_token
from partycare.care.selectors import (
    get_talk,
    get_talk_request,
    get_visit,
    greetings_visible_to,
    leader_links_visible_to,
    medal_awards_visible_to,
    needs_surveys_visible_to,
    talk_requests_visible_to,
    talks_visible_to,
    visits_visible_to,
)
from partycare.care.services import (
    arrange_requested_talk,
    award_medal,
    link_leader,
    read_talk_summary,
    read_visit_notes,
    record_greetings,
    record_needs_survey,
    record_talk,
    record_visit,
    request_talk,
)
from partycare.common.dates import business_today
from partycare.members.models import LifeEvent, Member
from partycare.members.selectors import get_member, life_events_visible_to, member_list
from partycare.members.services import create_member, record_life_event, reveal_sensitive, update_member
from partycare.obligations.models import Notification, Obligation
from partycare.obligations.reminders import mark_read
from partycare.obligations.selectors import get_obligation, notification_inbox, obligation_list
from partycare.obligations.services import waive_obligation
from partycare.orgs.models import Organisation
from partycare.orgs.selectors import current_posts, get_organisation, organisations_visible_to
from partycare.orgs.services import create_organisation, move_organisation, update_organisation


class ApiPagination(PageNumberPagination):
    """50 a page (the project default); `page_size` up to 500 lets an office pull a whole branch in one call."""

    page_size_query_param = "page_size"
    max_page_size = 500


class ApiViewMixin:
    # Token first: an API client without credentials gets 401 with `WWW-Authenticate: Token`, which tells it what to
    # send. (With session authentication first, DRF answers 403 because sessions have no challenge to offer.)
    authentication_classes = (TokenAuthentication, SessionAuthentication)
    permission_classes = (IsAuthenticated,)
    pagination_class = ApiPagination
    filter_backends: tuple[type, ...] = ()


def _reject(fields: dict[str, Any]) -> None:
    raise ValidationError({name: [message] for name, message in fields.items()})


# --- organisations -----------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="党组织列表（权限范围内）",
        responses={200: OrganisationSerializer, **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="党组织详情", responses={200: OrganisationSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="新建党组织",
        description="需要在上级组织上有组织管理权限（组织部管理员）。`parent` 为 null 表示顶层党委（仅超级管理员）。",
        request=OrganisationSerializer,
        responses={201: OrganisationSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改党组织",
        description="可改名称、简称、类型、编码、成立日期、状态、备注；移动到别的上级请用 move 接口。",
        request=OrganisationSerializer,
        responses={200: OrganisationSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
@extend_schema(tags=["organisations"])
class OrganisationViewSet(ApiViewMixin, viewsets.GenericViewSet):
    serializer_class = OrganisationSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = OrganisationFilterSet

    def get_queryset(self) -> Any:
        return organisations_visible_to(self.request.user)

    def get_organisation(self) -> Organisation:
        return get_organisation(user=self.request.user, pk=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        organisations = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(organisations)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_organisation()).data)

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "parent" not in data:
            # Explicit, so that a forgotten parent is not taken as "create a new top-level committee".
            _reject({"parent": _("请指定上级组织ID；新建顶层党委时传 null")})
        if data.pop("status", "active") != "active":
            _reject({"status": _("新建的组织状态总是“正常”")})
        org = create_organisation(actor=request.user, parent=data.pop("parent"), **data)
        return Response(self.get_serializer(org).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        org = self.get_organisation()
        serializer = self.get_serializer(org, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "parent" in changes:
            _reject({"parent": _("请用移动接口（move）更换上级组织")})
        org = update_organisation(actor=request.user, org=org, changes=changes)
        return Response(self.get_serializer(org).data)

    @extend_schema(
        summary="移动党组织（连同下级）",
        description="把组织及其全部下级移到新的上级之下。移到自身或其下级之下会形成循环，返回 400，code 为 cycle。",
        request=MoveOrganisationSerializer,
        responses={200: OrganisationSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        org = self.get_organisation()
        serializer = MoveOrganisationSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        org = move_organisation(actor=request.user, org=org, new_parent=serializer.validated_data["parent"])
        return Response(self.get_serializer(org).data)

    @extend_schema(
        summary="组织的现任书记和委员",
        responses={200: OrgPostSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=())
    def posts(self, request: Request, pk: str) -> Response:
        return Response(OrgPostSerializer(current_posts(self.get_organisation()), many=True).data)


# --- members -----------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="党员名册（权限范围内，可筛选）",
        description="与界面上的名册和导出相同的筛选；默认只列在册党员。身份证号和手机号只返回脱敏值。",
        parameters=[MemberListQuerySerializer],
        responses={200: MemberSerializer, **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="党员详情",
        parameters=[AsOfQuerySerializer],
        responses={200: MemberSerializer, **error_responses(400, 401, 403, 404)},
    ),
    create=extend_schema(
        summary="登记党员",
        request=MemberSerializer,
        responses={201: MemberSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="修改党员信息",
        request=MemberSerializer,
        responses={200: MemberSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
@extend_schema(tags=["members"])
class MemberViewSet(ApiViewMixin, viewsets.GenericViewSet):
    serializer_class = MemberSerializer

    def get_queryset(self) -> Any:
        return member_list(user=self.request.user)

    def get_member(self) -> Member:
        return get_member(user=self.request.user, pk=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        query = parse_query(MemberListQuerySerializer, request.query_params)
        members = member_list(user=request.user, filters=query.to_member_filter())  # type: ignore[attr-defined]
        page = self.paginate_queryset(members)
        context = {**self.get_serializer_context(), "as_of": query.validated_data.get("as_of")}
        return self.get_paginated_response(MemberSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        as_of = as_of_from(request.query_params)
        member = self.get_member()
        return Response(MemberSerializer(member, context={**self.get_serializer_context(), "as_of": as_of}).data)

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        member = create_member(actor=request.user, org=data.pop("org"), data=data)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        member = self.get_member()
        serializer = self.get_serializer(member, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        member = update_member(actor=request.user, member=member, changes=dict(serializer.validated_data))
        return Response(self.get_serializer(member).data)

    @extend_schema(
        summary="查看完整的身份证号或手机号",
        description="仅限工作需要的人（有查看敏感信息权限的书记、管理员）；每次查看都记入审计日志。",
        request=RevealRequestSerializer,
        responses={200: RevealedValueSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str) -> Response:
        member = self.get_member()
        serializer = RevealRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = serializer.validated_data["field"]
        value = reveal_sensitive(actor=request.user, member=member, field=field)
        # The unmasked value must not linger in a browser or proxy cache.
        return Response({"field": field, "value": value}, headers={"Cache-Control": "no-store"})


# --- life events -------------------------------------------------------------------------------------------------
class MemberLifeEventsView(ApiViewMixin, mixins.ListModelMixin, GenericAPIView):
    serializer_class = LifeEventSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = LifeEventFilterSet

    def get_member(self) -> Member:
        if not hasattr(self, "_member"):
            self._member = get_member(user=self.request.user, pk=self.kwargs["member_id"])
        return self._member

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return LifeEvent.objects.none()
        return life_events_visible_to(self.request.user).filter(member=self.get_member()).select_related("recorded_by")

    @extend_schema(
        tags=["life-events"],
        summary="党员的事件记录",
        responses={200: LifeEventSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, member_id: int) -> Response:
        return self.list(request)

    @extend_schema(
        tags=["life-events"],
        summary="登记党员事件",
        description="入党、转正、转出、住院、去世等；去世、转出、转正、退休会同时更新名册。",
        request=LifeEventSerializer,
        responses={201: LifeEventSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, member_id: int) -> Response:
        member = self.get_member()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = record_life_event(actor=request.user, member=member, **serializer.validated_data)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="事件记录（权限范围内，可按类型、日期、组织筛选）",
        responses={200: LifeEventSerializer, **error_responses(400, 401, 403)},
    )
)
@extend_schema(tags=["life-events"])
class LifeEventViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = LifeEventSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = ScopedLifeEventFilterSet

    def get_queryset(self) -> Any:
        return life_events_visible_to(self.request.user).select_related("recorded_by")


# --- the caller --------------------------------------------------------------------------------------------------
class MeView(ApiViewMixin, APIView):
    @extend_schema(
        tags=["account"],
        summary="当前账号、角色和权限范围",
        responses={200: MeSerializer, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(caller_summary(request.user)).data)


# --- tokens ------------------------------------------------------------------------------------------------------
class TokenView(ApiViewMixin, APIView):
    """Obtain (POST, with username and password) or revoke (DELETE) the caller's API token."""

    def _is_login(self) -> bool:
        return getattr(self.request, "method", None) == "POST"

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self._is_login() else [IsAuthenticated()]

    def get_authenticators(self) -> list[Any]:
        # Obtaining a token is a login: no session or token is consulted (and no CSRF token needed).
        return [] if self._is_login() else super().get_authenticators()

    @extend_schema(
        tags=["account"],
        summary="用用户名和密码换取 API 令牌",
        description="同一用户名在同一地址连续失败 5 次后暂时锁定（返回 429）。",
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        # AuthTokenSerializer passes the request to authenticate(), so django-axes counts failures per username + IP.
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except serializers.ValidationError:
            # Axes flags the request it was given; a locked-out pair must learn it is locked, not "wrong password".
            if getattr(request, "axes_locked_out", False):
                raise LockedOut() from None
            raise
        token = issue_api_token(actor=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(
        tags=["account"],
        summary="作废当前账号的 API 令牌",
        description="之后需要重新换取令牌。",
        request=None,
        responses={204: OpenApiResponse(description="已作废"), **error_responses(401, 403)},
    )
    def delete(self, request: Request) -> Response:
        revoke_api_token(actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- care records ------------------------------------------------------------------------------------------------
class CreateMixin:
    """POST → parse → the service called in `perform_record` → render what it recorded."""

    def perform_record(self, request: Request, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        record = self.perform_record(request, dict(serializer.validated_data))
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(
        summary="谈心谈话记录（权限范围内，可筛选）",
        description="不含谈话要点；按党员（谈话人或谈话对象）、组织（含下级）、谈话日期范围筛选。",
        responses={200: TalkSerializer, **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="谈心谈话详情（不含谈话要点）", responses={200: TalkSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="登记谈心谈话",
        description="个别谈心或集体谈话；谈话人和谈话对象用党员ID，只能是您权限范围内的党员。"
        "集体谈话计入每位谈话对象的谈话责任。谈话要点加密保存。",
        request=TalkSerializer,
        responses={201: TalkSerializer, **error_responses(400, 401, 403)},
    ),
)
@extend_schema(tags=["care"])
class TalkViewSet(ApiViewMixin, CreateMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TalkSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = TalkFilterSet

    def get_queryset(self) -> Any:
        return talks_visible_to(self.request.user).select_related("recorded_by")

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(get_talk(user=request.user, pk=pk)).data)

    def perform_record(self, request: Request, data: dict[str, Any]) -> Any:
        return record_talk(actor=request.user, **data)

    @extend_schema(
        summary="查看谈话要点",
        description="仅谈话人和在该组织有查看敏感信息权限的书记、管理员可看（其他人 403）；每次查看都记入审计日志。",
        request=None,
        responses={200: TalkSummarySerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def summary(self, request: Request, pk: str) -> Response:
        text = read_talk_summary(actor=request.user, talk=get_talk(user=request.user, pk=pk))
        return Response({"summary": text}, headers={"Cache-Control": "no-store"})


@extend_schema_view(
    list=extend_schema(
        summary="走访慰问记录（权限范围内，可筛选）",
        description="不含情况记录；按走访对象、组织（含下级）、走访日期范围、缘由筛选。",
        responses={200: VisitSerializer, **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="走访慰问详情（不含情况记录）", responses={200: VisitSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="登记走访慰问",
        description='定期、节日、事件触发（必访）、临终关怀、亡故吊唁。慰问金为字符串（如 "500.00"），不能为负数。',
        request=VisitSerializer,
        responses={201: VisitSerializer, **error_responses(400, 401, 403)},
    ),
)
@extend_schema(tags=["care"])
class VisitViewSet(ApiViewMixin, CreateMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = VisitSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = VisitFilterSet

    def get_queryset(self) -> Any:
        return visits_visible_to(self.request.user).select_related("recorded_by")

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(get_visit(user=request.user, pk=pk)).data)

    def perform_record(self, request: Request, data: dict[str, Any]) -> Any:
        return record_visit(actor=request.user, **data)

    @extend_schema(
        summary="查看走访情况记录",
        description="仅走访人和在该组织有查看敏感信息权限的书记、管理员可看（其他人 403）；每次查看都记入审计日志。",
        request=None,
        responses={200: VisitNotesSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        text = read_visit_notes(actor=request.user, visit=get_visit(user=request.user, pk=pk))
        return Response({"notes": text}, headers={"Cache-Control": "no-store"})


@extend_schema_view(
    list=extend_schema(
        summary="政治生日/生日祝福记录（权限范围内，可筛选）",
        responses={200: GreetingSerializer, **error_responses(400, 401, 403)},
    ),
    create=extend_schema(
        summary="批量登记祝福",
        description="一次登记多名党员（如支部集体过政治生日）；任一党员不在权限范围内则全部不登记。",
        request=GreetingBatchSerializer,
        responses={201: GreetingSerializer(many=True), **error_responses(400, 401, 403)},
    ),
)
@extend_schema(tags=["care"])
class GreetingViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = GreetingSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = GreetingFilterSet

    def get_queryset(self) -> Any:
        return greetings_visible_to(self.request.user)

    def create(self, request: Request) -> Response:
        serializer = GreetingBatchSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        greetings = record_greetings(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(greetings, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="党员约谈（权限范围内，可筛选）",
        description="mine=member：我提出的；mine=leader：向我提出的；不传：权限范围内的全部。约谈事由不返回。",
        responses={200: TalkRequestSerializer, **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="党员约谈详情", responses={200: TalkRequestSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="提出约谈",
        description="党员可为本人提出（member 不传即为本人）；书记可为管理范围内的党员登记。"
        "约谈对象为校级领导，或申请人所在组织及上级组织的书记、副书记。领导干部须在政策包规定的期限内安排。",
        request=TalkRequestSerializer,
        responses={201: TalkRequestSerializer, **error_responses(400, 401, 403)},
    ),
)
@extend_schema(tags=["care"])
class TalkRequestViewSet(ApiViewMixin, CreateMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TalkRequestSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = TalkRequestFilterSet

    def get_queryset(self) -> Any:
        return talk_requests_visible_to(self.request.user)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(get_talk_request(user=request.user, pk=pk)).data)

    def perform_record(self, request: Request, data: dict[str, Any]) -> Any:
        return request_talk(actor=request.user, **data)

    @extend_schema(
        summary="安排约谈",
        description="被约谈的领导干部本人或负责的书记登记安排谈话的日期；安排后对应的约谈责任即告完成。",
        request=ArrangeTalkRequestSerializer,
        responses={200: TalkRequestSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def arrange(self, request: Request, pk: str) -> Response:
        item = get_talk_request(user=request.user, pk=pk)
        serializer = ArrangeTalkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = arrange_requested_talk(actor=request.user, request=item, **serializer.validated_data)
        return Response(self.get_serializer(item).data)


@extend_schema_view(
    list=extend_schema(
        summary="领导干部联系党员（权限范围内，可筛选）",
        responses={200: LeaderLinkSerializer, **error_responses(400, 401, 403)},
    ),
    create=extend_schema(
        summary="登记领导干部联系党员",
        description="直接联系党员（每名领导干部至少联系政策包规定的人数），或分管的中层干部。",
        request=LeaderLinkSerializer,
        responses={201: LeaderLinkSerializer, **error_responses(400, 401, 403)},
    ),
)
@extend_schema(tags=["care"])
class LeaderLinkViewSet(ApiViewMixin, CreateMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = LeaderLinkSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = LeaderLinkFilterSet

    def get_queryset(self) -> Any:
        return leader_links_visible_to(self.request.user)

    def perform_record(self, request: Request, data: dict[str, Any]) -> Any:
        return link_leader(actor=request.user, **data)


@extend_schema_view(
    create=extend_schema(
        summary="登记需求调查",
        description="每名党员每年一份；思想动态和需求加密保存，不在回应中返回。",
        request=NeedsSurveySerializer,
        responses={201: NeedsSurveySerializer, **error_responses(400, 401, 403)},
    )
)
@extend_schema(tags=["care"])
class NeedsSurveyViewSet(ApiViewMixin, CreateMixin, viewsets.GenericViewSet):
    serializer_class = NeedsSurveySerializer

    def get_queryset(self) -> Any:
        return needs_surveys_visible_to(self.request.user)

    def perform_record(self, request: Request, data: dict[str, Any]) -> Any:
        return record_needs_survey(actor=request.user, **data)


@extend_schema_view(
    create=extend_schema(
        summary="登记纪念章颁发",
        description="如“光荣在党50年”纪念章；同一党员同一纪念章只颁发一次。",
        request=MedalAwardSerializer,
        responses={201: MedalAwardSerializer, **error_responses(400, 401, 403)},
    )
)
@extend_schema(tags=["care"])
class MedalAwardViewSet(ApiViewMixin, CreateMixin, viewsets.GenericViewSet):
    serializer_class = MedalAwardSerializer

    def get_queryset(self) -> Any:
        return medal_awards_visible_to(self.request.user)

    def perform_record(self, request: Request, data: dict[str, Any]) -> Any:
        return award_medal(actor=request.user, **data)


# --- obligations -------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="责任事项（权限范围内，可筛选）",
        description="按类别、状态、截止日期范围、责任组织（含下级）、对象党员筛选；mine=true 为本人的待办。",
        parameters=[ObligationListQuerySerializer],
        responses={200: ObligationSerializer, **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="责任事项详情", responses={200: ObligationSerializer, **error_responses(401, 403, 404)}
    ),
)
@extend_schema(tags=["obligations"])
class ObligationViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ObligationSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = ObligationFilterSet

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Obligation.objects.none()
        query = parse_query(ObligationListQuerySerializer, self.request.query_params).validated_data
        return obligation_list(
            user=self.request.user,
            mine=query["mine"],
            as_of=query.get("as_of"),
            all_states="state" in self.request.query_params,
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(get_obligation(user=request.user, pk=pk)).data)

    @extend_schema(
        summary="免除责任事项",
        description="事项不适用时（如长期出国）由有管理权限的书记或管理员免除，须写明理由；已完成的事项不能免除。"
        "之后的核对不会推翻人的免除决定。",
        request=WaiveSerializer,
        responses={200: ObligationSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str) -> Response:
        obligation = get_obligation(user=request.user, pk=pk)
        serializer = WaiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obligation = waive_obligation(actor=request.user, obligation=obligation, **serializer.validated_data)
        return Response(self.get_serializer(obligation).data)


class ComplianceView(ApiViewMixin, APIView):
    @extend_schema(
        tags=["obligations"],
        summary="落实率（按组织逐级汇总）",
        description="该组织及每个下级组织：截至 as_of 应完成（不含已免除）、按时完成、补做完成、逾期，按类别细分。"
        "落实率 = 按时完成 ÷ 应完成；无应完成事项时为 null。组织不在权限范围内时 404。",
        parameters=[ComplianceQuerySerializer],
        responses={200: ComplianceSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(ComplianceQuerySerializer, request.query_params).validated_data
        org = get_organisation(user=request.user, pk=query["org"])
        report = compliance_report(org=org, as_of=query.get("as_of") or business_today(), kind=query.get("kind", ""))
        return Response(ComplianceSerializer(report).data)


@extend_schema_view(
    list=extend_schema(
        summary="我的提醒",
        description="只有本人的提醒：责任事项到期或逾期时生成。unread=true 只看未读。",
        responses={200: NotificationSerializer, **error_responses(400, 401, 403)},
    )
)
@extend_schema(tags=["obligations"])
class NotificationViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filter_backends = (DjangoFilterBackend,)
    filterset_class = NotificationFilterSet

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notification_inbox(self.request.user)

    @extend_schema(
        summary="标为已读",
        description="给出 ids（只影响本人的提醒，别人的ID被忽略），或 all=true 全部标为已读。",
        request=MarkReadSerializer,
        responses={200: MarkedSerializer, **error_responses(400, 401, 403)},
    )
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = None if serializer.validated_data["all"] else serializer.validated_data["ids"]
        return Response({"marked": mark_read(user=request.user, ids=ids)})
