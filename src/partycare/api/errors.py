"""Structured API errors: {"error": {"code", "message", "fields"}} for every failure.

Services raise ServiceError / PermissionDenied / NotFound; DRF raises its own exceptions for parsing, authentication
and validation. All of them leave here in the same shape, and the schema describes that shape (`error_responses`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from partycare.common.errors import NotFound, PermissionDenied, ServiceError

logger = logging.getLogger("partycare.api")


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF error details as {field: [messages]}; nested fields become dotted names ("items.0.kind")."""
    if isinstance(detail, dict):
        fields: dict[str, list[str]] = {}
        for key, value in detail.items():
            fields.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return fields
    if isinstance(detail, list):
        if any(isinstance(item, dict | list) for item in detail):
            fields = {}
            for index, item in enumerate(detail):
                fields.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
            return fields
        return {prefix or "non_field_errors": [str(message) for message in detail]} if detail else {}
    return {prefix or "non_field_errors": [str(detail)]}


def _body(code: str, message: Any, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def structured_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotFound | Http404):
        return Response(_body("not_found", _("未找到")), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response(_body(exc.code, exc.message, exc.fields), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ServiceError):
        return Response(_body(exc.code, exc.message, exc.fields), status=status.HTTP_400_BAD_REQUEST)
    response = exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None  # let Django show the debug page
        # An API client should get JSON even for a bug; the traceback goes to the log, the transaction is rolled back.
        logger.exception("unhandled error in API view %s", context.get("view").__class__.__name__)
        set_rollback()
        return Response(_body("server_error", _("服务器内部错误")), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = next(iter(fields.values()))[0] if fields else _("数据无效")
        response.data = _body("invalid", message, fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = _body(str(code), detail)
    return response


# --- schema ------------------------------------------------------------------------------------------------------
class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="机器可读的错误代码，如 invalid、not_found、permission_denied、cycle、duplicate、not_authenticated"
    )
    message = serializers.CharField(help_text="给人看的说明（按 Accept-Language 为中文或英文）")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="字段名 → 错误信息列表；与字段无关的错误为空对象",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_ERROR_DESCRIPTIONS = {
    400: "数据无效或业务规则不允许；什么都没有写入 (invalid input or refused by a business rule; nothing was written)",
    401: "未登录或令牌无效 (not authenticated)",
    403: "无权执行此操作：对象可见但不允许此操作，或会话的 CSRF 校验失败 (not allowed: visible but not permitted, "
    "or a failed CSRF check on a session)",
    404: "不存在，或不在您的权限范围内 (missing, or outside your scope — the two look the same)",
    429: "登录失败次数过多，已暂时锁定 (too many failed logins; locked for a while)",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error answers an operation can give, all in the structured shape."""
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]) for code in codes}


class LockedOut(exceptions.APIException):
    """Failed-login throttling (django-axes) refused the attempt."""

    status_code = getattr(settings, "AXES_HTTP_RESPONSE_CODE", status.HTTP_429_TOO_MANY_REQUESTS)
    default_code = "locked_out"
    default_detail = _("登录失败次数过多，该账号在此地址已被暂时锁定，请稍后再试")
