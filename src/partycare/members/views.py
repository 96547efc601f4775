"""Member screens: the filtered list, one member's record, and the forms that change it (members.services)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from partycare.accounts.scope import CHANGE, EXPORT, MANAGE_ACCOUNTS, RECORD, VIEW_AUDIT, VIEW_SENSITIVE, scope_of
from partycare.common.dates import business_today
from partycare.common.errors import NotFound, PermissionDenied, ServiceError
from partycare.members import services
from partycare.members.forms import (
    CONDITION_LABELS,
    DisciplineForm,
    HonourForm,
    LifeEventForm,
    MemberFilterForm,
    MemberForm,
)
from partycare.members.models import Member
from partycare.members.selectors import MemberFilter, get_member, member_list
from partycare.orgs.models import Organisation, OrgPost
from partycare.orgs.selectors import get_organisation, organisations_visible_to
from partycare.web.http import attach_service_error, is_htmx, paginate, service_errors_as_http

# Until the roster engineer's URLs are wired in, the export link still points where they will live.
EXPORT_FALLBACK_PATH = "/members/roster/export/"

SENSITIVE_DISPLAY = {
    "id_number": (gettext_lazy("身份证号"), "id_number_masked"),
    "phone": (gettext_lazy("手机号"), "phone_masked"),
}


@dataclass(frozen=True)
class MemberRow:
    member: Member
    age: int
    party_age: int


def _export_url(request: HttpRequest) -> str:
    try:
        base = reverse("roster:export")
    except NoReverseMatch:
        base = EXPORT_FALLBACK_PATH
    query = request.GET.copy()
    query.pop("page", None)
    return f"{base}?{query.urlencode()}" if query else base


@login_required
def member_list_view(request: HttpRequest) -> HttpResponse:
    form = MemberFilterForm(request.GET or None, user=request.user)
    filters = form.to_filter() if form.is_valid() else MemberFilter()
    page = paginate(request, member_list(user=request.user, filters=filters))
    today = business_today()
    rows = [MemberRow(m, m.age(today), m.party_age(today)) for m in page]
    scope = scope_of(request.user)
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "export_url": _export_url(request),
        "can_export": scope.allows_anywhere(EXPORT),
        "can_create": scope.allows_anywhere(CHANGE),
    }
    return render(request, "members/list.html", context)


def _ancestors(member: Member, user: Any) -> list[Any]:
    org = member.org
    return [*organisations_visible_to(user).filter(pk__in=[a.pk for a in Organisation.objects.get_ancestors(org)]), org]


def _sensitive_items(member: Member, revealed: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"field": field, "label": label, "masked": getattr(member, masked_attr), "value": revealed.get(field)}
        for field, (label, masked_attr) in SENSITIVE_DISPLAY.items()
    ]


def _render_detail(
    request: HttpRequest, member: Member, *, status: int = 200, revealed: dict[str, str] | None = None, **forms: Any
) -> HttpResponse:
    scope = scope_of(request.user)
    path = member.org.path
    today = business_today()
    can_change = scope.allows(CHANGE, path)
    can_record = scope.allows(RECORD, path)
    disciplines = list(member.disciplines.all())
    context = {
        "member": member,
        "ancestors": _ancestors(member, request.user),
        "age": member.age(today),
        "party_age": member.party_age(today),
        "next_political_birthday": member.next_political_birthday(today),
        "conditions": [label for name, label in CONDITION_LABELS.items() if getattr(member, name)],
        "sensitive_items": _sensitive_items(member, revealed or {}),
        "can_reveal": scope.allows(VIEW_SENSITIVE, path),
        "can_change": can_change,
        "can_record": can_record,
        "can_view_audit": scope.allows(VIEW_AUDIT, path),
        "can_manage_accounts": scope.allows(MANAGE_ACCOUNTS, path),
        "posts": OrgPost.objects.filter(member=member).select_related("org").order_by("-since"),
        "life_events": member.life_events.select_related("recorded_by"),
        "disciplines": [(d, d.in_impact(today)) for d in disciplines],
        "honours": member.honours.all(),
        "event_form": forms.get("event_form")
        or (LifeEventForm(initial={"occurred_on": today}) if can_record else None),
        "discipline_form": forms.get("discipline_form") or (DisciplineForm() if can_change else None),
        "honour_form": forms.get("honour_form") or (HonourForm() if can_change else None),
        "has_account": hasattr(member, "account"),
    }
    return render(request, "members/detail.html", context, status=status)


@login_required
@service_errors_as_http
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_member(user=request.user, pk=pk))


@login_required
@require_POST
@never_cache
@service_errors_as_http
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows one sensitive value unmasked, once; the read is written to the audit log by the service."""
    member = get_member(user=request.user, pk=pk)
    field = request.POST.get("field", "")
    try:
        value = services.reveal_sensitive(actor=request.user, member=member, field=field)
    except (NotFound, PermissionDenied):
        raise
    except ServiceError as exc:
        return HttpResponseBadRequest(exc.message)
    if is_htmx(request):
        item = next(i for i in _sensitive_items(member, {field: value}) if i["field"] == field)
        return render(request, "members/_sensitive.html", {"item": item, "member": member, "can_reveal": True})
    return _render_detail(request, member, revealed={field: value})


def _member_to_edit(request: HttpRequest, pk: int) -> Member:
    member = get_member(user=request.user, pk=pk)
    if not scope_of(request.user).allows(CHANGE, member.org.path):
        raise PermissionDenied(_("无权修改该党员的信息"))
    return member


@login_required
@service_errors_as_http
def create(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).allows_anywhere(CHANGE):
        raise Http404
    initial = {}
    if request.GET.get("org"):
        initial["org"] = get_organisation(user=request.user, pk=request.GET["org"], action=CHANGE)
    form = MemberForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.create_member(actor=request.user, org=form.cleaned_data["org"], data=form.service_data())
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, _("已登记党员“%(name)s”。") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@service_errors_as_http
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_to_edit(request, pk)
    form = MemberForm(request.POST or None, user=request.user, instance=member)
    if request.method == "POST" and form.is_valid():
        changes = {"org": form.cleaned_data["org"], **form.service_data()}
        try:
            services.update_member(actor=request.user, member=member, changes=changes)
        except ServiceError as exc:
            member.refresh_from_db()  # the service set the refused values on this instance
            attach_service_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("members:detail", pk=member.pk)
    context = {"form": form, "member": member, "ancestors": _ancestors(member, request.user)}
    return render(request, "members/form.html", context, status=400 if form.errors else 200)


def _record(request: HttpRequest, pk: int, form_class: type, form_key: str, save: Any, done: str) -> HttpResponse:
    """Shared shape of the small add-forms on the detail page: valid → service → back to the page."""
    member = get_member(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(member, form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("members:detail", pk=member.pk)
    return _render_detail(request, member, status=400, **{form_key: form})


@login_required
@require_POST
@service_errors_as_http
def add_life_event(request: HttpRequest, pk: int) -> HttpResponse:
    def save(member: Member, data: dict[str, Any]) -> None:
        services.record_life_event(actor=request.user, member=member, **data)

    return _record(request, pk, LifeEventForm, "event_form", save, _("已登记事件。"))


@login_required
@require_POST
@service_errors_as_http
def add_discipline(request: HttpRequest, pk: int) -> HttpResponse:
    def save(member: Member, data: dict[str, Any]) -> None:
        services.add_discipline(actor=request.user, member=member, **data)

    return _record(request, pk, DisciplineForm, "discipline_form", save, _("已登记组织处理/纪律处分。"))


@login_required
@require_POST
@service_errors_as_http
def add_honour(request: HttpRequest, pk: int) -> HttpResponse:
    def save(member: Member, data: dict[str, Any]) -> None:
        services.add_honour(actor=request.user, member=member, **data)

    return _record(request, pk, HonourForm, "honour_form", save, _("已登记荣誉表彰。"))
