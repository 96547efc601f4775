"""Duty screens: my duties, one duty (and its waiver), the inbox, supervision (落实率) with export, the holiday
calendar. Reads through `obligations.selectors`, writes through `obligations.services`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from partycare.accounts.scope import CHANGE, EXPORT, VIEW, scope_of
from partycare.common.dates import business_today
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.obligations import services
from partycare.obligations.export import XLSX_CONTENT_TYPE, build_compliance_export
from partycare.obligations.forms import (
    KIND_LABELS,
    CalendarForm,
    ComplianceForm,
    DutyFilterForm,
    WaiveForm,
)
from partycare.obligations.models import Obligation, ObligationKind, ObligationState
from partycare.obligations.reminders import mark_read, unread_count
from partycare.obligations.selectors import (
    ComplianceRow,
    compliance,
    duty_list,
    fulfilling_record,
    get_obligation,
    holiday_duties,
    last_sweep_run,
    notifications_of,
    overdue_items,
    state_counts,
)
from partycare.orgs.models import Organisation
from partycare.orgs.selectors import get_organisation, organisations_visible_to
from partycare.policy.calendar import CalendarRangeError
from partycare.policy.selectors import pack_in_force
from partycare.web.http import attach_service_error, paginate, service_errors_as_http

STATE_BADGES = {
    ObligationState.OPEN: "text-bg-primary",
    ObligationState.OVERDUE: "text-bg-danger",
    ObligationState.DONE: "text-bg-success",
    ObligationState.WAIVED: "text-bg-secondary",
}


# --- one click from a duty to the record that fulfils it --------------------------------------------------------


@dataclass(frozen=True)
class DutyAction:
    label: Any
    url: str
    icon: str


def duty_action(duty: Obligation) -> DutyAction | None:
    """The form that records what this duty asks for, prefilled from it (member, organisation, reason, duty)."""
    if duty.state not in (ObligationState.OPEN, ObligationState.OVERDUE):
        return None
    query = urlencode({"obligation": duty.pk})
    kind = duty.kind
    if kind == ObligationKind.TALK:
        return DutyAction(gettext_lazy("登记谈话"), f"{reverse('care:talk_new')}?{query}", "chat-dots")
    if kind in (ObligationKind.VISIT, ObligationKind.CONDOLENCE):
        return DutyAction(gettext_lazy("登记走访"), f"{reverse('care:visit_new')}?{query}", "house-heart")
    if kind in (ObligationKind.GREETING, ObligationKind.BIRTHDAY):
        return DutyAction(gettext_lazy("登记祝福"), f"{reverse('care:greetings')}?{query}", "gift")
    if kind == ObligationKind.REQUESTED_TALK and duty.trigger_request_id:
        return DutyAction(
            gettext_lazy("安排约谈"), reverse("care:request_detail", args=[duty.trigger_request_id]), "calendar-check"
        )
    if kind == ObligationKind.LEADER_LINK:
        return DutyAction(gettext_lazy("登记联系"), reverse("care:links"), "link-45deg")
    if kind == ObligationKind.MEDAL:
        return DutyAction(
            gettext_lazy("登记颁发"), f"{reverse('care:medals')}?{urlencode({'year': duty.period_key})}", "award"
        )
    if kind == ObligationKind.NEEDS_SURVEY:
        return DutyAction(gettext_lazy("登记调查"), f"{reverse('care:survey_new')}?{query}", "clipboard-check")
    return None


@dataclass(frozen=True)
class DutyRow:
    duty: Obligation
    badge: str
    action: DutyAction | None
    days_left: int  # until the due date; negative: days overdue

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def duty_rows(duties: Any, today: dt.date | None = None) -> list[DutyRow]:
    day = today or business_today()
    return [
        DutyRow(d, STATE_BADGES.get(d.state, "text-bg-light"), duty_action(d), (d.due_on - day).days) for d in duties
    ]


# --- my duties ---------------------------------------------------------------------------------------------------


@login_required
def duty_list_view(request: HttpRequest) -> HttpResponse:
    today = business_today()
    form = DutyFilterForm(request.GET or None)
    filters = form.to_filter()
    duties = duty_list(user=request.user, as_of=today, filters=filters)
    page = paginate(request, duties)
    context = {
        "form": form,
        "page_obj": page,
        "rows": duty_rows(page),
        "counts": state_counts(duties),
        "today": today,
        "mine": filters.mine,
        "can_see_all": scope_of(request.user).allows_anywhere(VIEW),
    }
    return render(request, "obligations/list.html", context)


def _can_waive(user: Any, duty: Obligation) -> bool:
    return duty.state in (ObligationState.OPEN, ObligationState.OVERDUE) and scope_of(user).allows(
        CHANGE, duty.responsible_path
    )


def _render_detail(request: HttpRequest, duty: Obligation) -> HttpResponse:
    record = fulfilling_record(duty)
    row = duty_rows([duty])[0]
    context = {
        "duty": duty,
        "row": row,
        "badge": row.badge,
        "action": row.action,
        "record": record,
        "record_kind": record._meta.model_name if record is not None else "",
        "can_waive": _can_waive(request.user, duty),
        "today": business_today(),
    }
    return render(request, "obligations/detail.html", context)


@login_required
@service_errors_as_http
def duty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_obligation(user=request.user, pk=pk)
    return _render_detail(request, duty)


@login_required
@service_errors_as_http
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps: the reason, then a confirmation page that repeats it; only the confirmed POST changes anything."""
    duty = get_obligation(user=request.user, pk=pk)
    if not _can_waive(request.user, duty):
        raise PermissionDenied(_("无权免除该事项，或该事项已完成/已免除"))
    form = WaiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data.get("confirmed"):
            confirm = WaiveForm(initial={"reason": form.cleaned_data["reason"], "confirmed": True})
            return render(
                request,
                "obligations/waive.html",
                {"duty": duty, "form": confirm, "confirming": True, "reason": form.cleaned_data["reason"]},
            )
        try:
            services.waive_obligation(actor=request.user, obligation=duty, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, _("已免除该事项，理由已记入审计日志。"))
            return redirect("obligations:detail", pk=duty.pk)
    status = 400 if form.errors else 200
    return render(request, "obligations/waive.html", {"duty": duty, "form": form, "confirming": False}, status=status)


# --- inbox -------------------------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = paginate(request, notifications_of(request.user))
    return render(request, "obligations/inbox.html", {"page_obj": page, "unread": unread_count(request.user)})


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    ids: list[int] | None = None
    if request.POST.get("all") != "1":
        ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    count = mark_read(user=request.user, ids=ids)
    messages.success(request, _("已将 %(count)d 条提醒标为已读。") % {"count": count})
    return redirect(_safe_next(request, reverse("obligations:inbox")))


# --- supervision ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLine:
    row: ComplianceRow
    percent: float | None  # 0–100, None when nothing was due

    @property
    def bar_class(self) -> str:
        if self.percent is None:
            return ""
        return "bg-success" if self.percent >= 90 else "bg-warning" if self.percent >= 60 else "bg-danger"


@dataclass(frozen=True)
class KindLine:
    kind: str
    label: Any
    due: int
    on_time: int
    late: int
    overdue: int
    percent: float | None

    @property
    def bar_class(self) -> str:
        return RateLine(ComplianceRow(None, ""), self.percent).bar_class


def _percent(on_time: int, due: int) -> float | None:
    return round(100 * on_time / due, 1) if due else None


def _top_org(user: Any) -> Organisation | None:
    visible = organisations_visible_to(user)
    return visible.order_by("depth", "path").first()


def _compliance_org(request: HttpRequest, form: ComplianceForm) -> Organisation:
    org_id = form.cleaned_data.get("org") if form.is_valid() else request.GET.get("org")
    if org_id:
        return get_organisation(user=request.user, pk=org_id)
    org = _top_org(request.user)
    if org is None:
        raise Http404
    return org


@login_required
@service_errors_as_http
def compliance_view(request: HttpRequest) -> HttpResponse:
    form = ComplianceForm(request.GET or None)
    org = _compliance_org(request, form)
    today = business_today()
    as_of = form.as_of_or(today)
    kind = form.kind_value()
    total, rows = compliance(org=org, as_of=as_of, kind=kind)
    scope = scope_of(request.user)
    may_see_names = scope.allows(VIEW, org.path)
    overdue_page = paginate(request, overdue_items(org=org, as_of=as_of, kind=kind)) if may_see_names else None
    kinds = [
        KindLine(
            k, KIND_LABELS.get(k, k), c["due"], c["on_time"], c["late"], c["overdue"], _percent(c["on_time"], c["due"])
        )
        for k, c in sorted(
            total.by_kind.items(), key=lambda item: list(KIND_LABELS).index(item[0]) if item[0] in KIND_LABELS else 99
        )
    ]
    ancestors = list(
        organisations_visible_to(request.user).filter(pk__in=[a.pk for a in Organisation.objects.get_ancestors(org)])
    )
    query = {"as_of": as_of.isoformat(), **({"kind": kind} if kind else {})}
    context = {
        # Shown with the values actually used (today when no date was given), errors kept.
        "form": form if form.errors else ComplianceForm(initial={"as_of": as_of, "kind": kind}),
        "org": org,
        "ancestors": ancestors,
        "as_of": as_of,
        "today": today,
        "kind": kind,
        "kind_label": KIND_LABELS.get(kind, "") if kind else "",
        "total": RateLine(total, _percent(total.on_time, total.due)),
        "rows": [RateLine(r, _percent(r.on_time, r.due)) for r in rows],
        "kinds": kinds,
        "overdue_page": overdue_page,
        "page_obj": overdue_page,
        "query": urlencode(query),
        "can_export": scope.allows(EXPORT, org.path),
        "can_sweep": services.can_request_sweep(request.user),
        "last_sweep": last_sweep_run(),
    }
    return render(request, "obligations/compliance.html", context)


@login_required
@service_errors_as_http
def compliance_export(request: HttpRequest) -> HttpResponseBase:
    form = ComplianceForm(request.GET or None)
    org = _compliance_org(request, form)
    if not scope_of(request.user).allows(EXPORT, org.path):
        raise PermissionDenied(_("无权导出该组织的落实率"))
    export = build_compliance_export(
        actor=request.user, org=org, as_of=form.as_of_or(business_today()), kind=form.kind_value()
    )
    return FileResponse(export.handle, as_attachment=True, filename=export.filename, content_type=XLSX_CONTENT_TYPE)


@login_required
@require_POST
@service_errors_as_http
def sweep_now(request: HttpRequest) -> HttpResponse:
    day = services.request_sweep(actor=request.user)
    messages.success(request, _("已提交 %(day)s 的核对任务，稍后刷新即可看到最新结果。") % {"day": day.isoformat()})
    return redirect(_safe_next(request, reverse("obligations:compliance")))


# --- holiday calendar ----------------------------------------------------------------------------------------------


# The calendar lists the first names per holiday; the duty list (filtered to the holiday) has them all.
HOLIDAY_LIST_LIMIT = 30
# Without a chosen year the calendar shows what is coming: the next twelve months.
UPCOMING_DAYS = 365


@dataclass(frozen=True)
class HolidayLine:
    code: str
    name: str
    label: str  # e.g. 春节（农历1月1日）
    calendar: str
    day: dt.date
    days_away: int
    counts: dict[str, int]
    duties: list[DutyRow]

    @property
    def planned(self) -> int:
        return sum(self.counts.values())


def _calendar_org(request: HttpRequest) -> Organisation:
    if request.GET.get("org"):
        return get_organisation(user=request.user, pk=request.GET["org"])
    scope = scope_of(request.user)
    if scope.member_org_id and not scope.allows_anywhere(VIEW):
        return get_organisation(user=request.user, pk=scope.member_org_id)
    org = _top_org(request.user)
    if org is None:
        raise Http404
    return org


@login_required
@service_errors_as_http
def calendar_view(request: HttpRequest) -> HttpResponse:
    """A chosen year's holidays, or by default the coming twelve months', with the visits planned for each."""
    today = business_today()
    form = CalendarForm(request.GET or None)
    chosen = form.cleaned_data.get("year") if form.is_valid() else None
    org = _calendar_org(request)
    found = pack_in_force(org, today)
    lines: list[HolidayLine] = []
    error = ""
    if found is not None:
        calendar = found.pack.calendar
        try:
            if chosen:
                dates = calendar.holidays_in(chosen)
            else:
                horizon = today + dt.timedelta(days=UPCOMING_DAYS)
                dates = [
                    item
                    for year in range(today.year, horizon.year + 1)
                    for item in calendar.holidays_in(year)
                    if today <= item.date <= horizon
                ]
        except CalendarRangeError as exc:
            dates, error = [], str(exc)
        for item in dates:
            holiday = calendar.holiday(item.code)
            duties = holiday_duties(user=request.user, org=org, code=item.code, day=item.date)
            lines.append(
                HolidayLine(
                    code=item.code,
                    name=item.name,
                    label=holiday.label(),
                    calendar=holiday.calendar,
                    day=item.date,
                    days_away=(item.date - today).days,
                    counts=state_counts(duties),
                    duties=duty_rows(duties[:HOLIDAY_LIST_LIMIT], today),
                )
            )
    year = chosen or today.year
    context = {
        "org": org,
        "year": year,
        "upcoming": chosen is None,
        "today": today,
        "found": found,
        "lines": lines,
        "error": error,
        "form": form,
        "list_limit": HOLIDAY_LIST_LIMIT,
    }
    return render(request, "obligations/calendar.html", context)
