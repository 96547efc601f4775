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
    LifeEventFilterSet,
    MemberListQuerySerializer,
    OrganisationFilterSet,
    ScopedLifeEventFilterSet,
    as_of_from,
    parse_query,
)
from partycare.api.selectors import caller_summary
from partycare.api.serializers import (
    LifeEventSerializer,
    MemberSerializer,
    MeSerializer,
    MoveOrganisationSerializer,
    OrganisationSerializer,
    OrgPostSerializer,
    RevealedValueSerializer,
    RevealRequestSerializer,
    TokenSerializer,
)
from partycare.api.services import issue_api_token, revoke_api_token
from partycare.members.models import LifeEvent, Member
from partycare.members.selectors import get_member, life_events_visible_to, member_list
from partycare.members.services import create_member, record_life_event, reveal_sensitive, update_member
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
