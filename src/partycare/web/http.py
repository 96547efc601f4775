"""Turning service outcomes into HTTP answers, shared by every server-rendered view.

NotFound → 404 (missing and out of scope look the same), PermissionDenied → 403, any other ServiceError → messages
on the form that was submitted, next to the fields they name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse

from partycare.common.errors import NotFound, PermissionDenied, ServiceError

PAGE_SIZE = 50


def service_errors_as_http(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc

    return wrapper


def attach_service_error(
    form: forms.BaseForm, exc: ServiceError, *, field_map: Mapping[str, str] | None = None
) -> None:
    """Shows a refused request on the form. Scope refusals are not form errors: they propagate (404/403)."""
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    attached: set[str] = set()
    for service_field, messages in exc.fields.items():
        name = (field_map or {}).get(service_field, service_field)
        if name in form.fields:
            form.add_error(name, list(messages))
            attached.update(messages)
        else:
            form.add_error(None, list(messages))
            attached.update(messages)
    if exc.message not in attached:
        form.add_error(None, exc.message)


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
