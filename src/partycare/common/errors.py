"""Errors that services raise; views and the API turn them into clear messages or structured answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ServiceError(Exception):
    """A request the service refuses; nothing was changed."""

    code = "invalid"

    def __init__(self, message: str, *, fields: Mapping[str, Sequence[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = {k: list(v) for k, v in (fields or {}).items()}
        if code:
            self.code = code


class NotFound(ServiceError):
    """Missing and out-of-scope look the same to the caller."""

    code = "not_found"

    def __init__(self, message: str = "未找到 / not found"):
        super().__init__(message)


class PermissionDenied(ServiceError):
    """The object is visible but the actor may not do this to it."""

    code = "permission_denied"
