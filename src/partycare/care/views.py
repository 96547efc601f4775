"""Care screens: record and list talks, visits, greetings; requested talks (约谈); leader links; needs surveys;
the 50-year medal list. Forms parse, `care.services` writes (scope, audit), `care.selectors` reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from partycare.accounts.scope import RECORD, scope_of
from partycare.care import selectors, services
from partycare.care.forms import (
    ArrangeForm,
    GreetingBatchForm,
    GreetingMonthForm,
    LeaderLinkForm,
    MedalAwardForm,
    NeedsSurveyForm,
    TalkRecordForm,
    TalkRequestForm,
    VisitRecordForm,
    YearForm,
)
from partycare.care.models import GreetingAction, GreetingOccasion, Reason, Talk, TalkRequest, Visit
from partycare.common.dates import business_today
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.members.models import LifeEvent, Member
from partycare.members.selectors import get_member, life_events_visible_to
from partycare.obligations.models import Obligation, ObligationKind, ObligationState
from partycare.obligations.selectors import get_obligation, medal_duties, medal_name_for
from partycare.orgs.models import Organisation
from partycare.orgs.selectors import get_organisation, organisations_visible_to
from partycare.policy.selectors import pack_in_force
from partycare.web.http import attach_service_error, paginate, service_errors_as_http

# Records close duties at the next daily check (the sweep is set-based and runs for the whole tree, so it is not
# run per request); saying so avoids "I recorded it but it is still on my list".
SWEEP_NOTE = gettext_lazy("对应的待办将在下一次每日核对时自动标记为完成。")


def _saved(request: HttpRequest, what: str) -> None:
    messages.success(request, f"{what} {SWEEP_NOTE}")


# --- shared helpers ----------------------------------------------------------------------------------------------


def _period_over(obligation: Obligation | None) -> bool:
    """A periodic duty whose period has ended: only records dated inside it count for it (late ones count for the
    next period's duty), which the form says so nobody expects today's record to close it."""
    return bool(obligation and obligation.fulfil_until and obligation.fulfil_until < business_today())


def _obligation_from(request: HttpRequest) -> Obligation | None:
    """The duty a one-click link came from (?obligation=…, or the hidden field on POST); out of scope → 404."""
    raw = request.POST.get("obligation") or request.GET.get("obligation")
    return get_obligation(user=request.user, pk=raw) if raw else None


def _record_org(request: HttpRequest, obligation: Obligation | None = None) -> Organisation | None:
    """Which organisation a new record is made for: the submitted one, the duty's, or the user's default."""
    orgs = selectors.recordable_orgs(request.user)
    raw = request.POST.get("org") or request.GET.get("org")
    if raw:
        return orgs.filter(pk=raw).first() if str(raw).isdigit() else None
    if obligation is not None:
        found = orgs.filter(pk=obligation.responsible_org_id).first()
        if found is not None:
            return found
    return selectors.default_record_org(request.user)


def _pick_org(request: HttpRequest, org: Organisation | None, subject: Member | None = None) -> Organisation | None:
    """Whose members the form offers: the chosen unit (?pick=…), the subject's own branch, or the record's org."""
    raw = request.POST.get("pick") or request.GET.get("pick")
    if raw:
        return get_organisation(user=request.user, pk=raw)
    if subject is not None:
        return subject.org
    return org


def _pick_choices(request: HttpRequest, org: Organisation | None) -> list[tuple[int, str]]:
    """Units to pick members from: the record's organisation and everything below it that the user sees."""
    if org is None:
        return []
    units = organisations_visible_to(request.user).filter(path__startswith=org.path).only("pk", "name", "depth")
    return [(unit.pk, f"{'　' * (unit.depth - org.depth)}{unit.name}") for unit in units]


def _require_recorder(request: HttpRequest) -> None:
    if not scope_of(request.user).allows_anywhere(RECORD):
        raise Http404


def _own_member_ids(request: HttpRequest) -> list[int]:
    member_id = scope_of(request.user).member_id
    return [member_id] if member_id else []


def _reason_event(request: HttpRequest, raw: Any) -> LifeEvent | None:
    if not raw:
        return None
    found: LifeEvent | None = life_events_visible_to(request.user).filter(pk=raw).first()
    return found


def _reason_for(obligation: Obligation) -> str:
    if obligation.kind == ObligationKind.CONDOLENCE:
        return Reason.CONDOLENCE
    if obligation.holiday:
        return Reason.HOLIDAY
    if obligation.kind == ObligationKind.REQUESTED_TALK:
        return Reason.REQUESTED
    if obligation.trigger_event_id:
        event = obligation.trigger_event
        return Reason.END_OF_LIFE if event is not None and event.kind == "terminally_ill" else Reason.EVENT
    return Reason.PERIODIC


def _holidays_of(org: Organisation | None) -> list[tuple[str, str]]:
    if org is None:
        return []
    found = pack_in_force(org, business_today())
    return [(h.code, h.name) for h in found.pack.calendar.holidays] if found else []


# --- talks -------------------------------------------------------------------------------------------------------


@login_required
def talk_list(request: HttpRequest) -> HttpResponse:
    talks = selectors.talks_visible_to(request.user)
    query = (request.GET.get("q") or "").strip()
    if query:
        talks = talks.filter(Q(participants__name__icontains=query) | Q(talkers__name__icontains=query)).distinct()
    page = paginate(request, talks)
    context = {"page_obj": page, "q": query, "can_record": scope_of(request.user).allows_anywhere(RECORD)}
    return render(request, "care/talk_list.html", context)


@login_required
@service_errors_as_http
def talk_new(request: HttpRequest) -> HttpResponse:
    _require_recorder(request)
    obligation = _obligation_from(request)
    talk_request = None
    if request.GET.get("request"):
        talk_request = selectors.get_talk_request(user=request.user, pk=request.GET["request"])
    org = _record_org(request, obligation)
    subject = obligation.subject_member if obligation is not None else None
    pick = _pick_org(request, org, subject or (talk_request.member if talk_request is not None else None))
    initial: dict[str, Any] = {
        "org": org,
        "pick": pick.pk if pick else None,
        "held_on": business_today(),
        "talkers": _own_member_ids(request),
        "reason": Reason.PERIODIC,
    }
    if obligation is not None:
        initial.update(
            obligation=obligation.pk,
            participants=[obligation.subject_member_id] if obligation.subject_member_id else [],
            reason=_reason_for(obligation),
            reason_event=obligation.trigger_event_id,
        )
    if talk_request is not None:
        initial.update(participants=[talk_request.member_id], talkers=[talk_request.leader_id], reason=Reason.REQUESTED)
    form = TalkRecordForm(request.POST or None, user=request.user, org=org, pick=pick, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            talk = services.record_talk(
                actor=request.user,
                org=data["org"],
                held_on=data["held_on"],
                talkers=list(data["talkers"]),
                participants=list(data["participants"]),
                form=data["form"],
                reason=data["reason"],
                reason_event=_reason_event(request, data.get("reason_event")),
                summary=data["summary"],
                follow_ups=data["follow_ups"],
            )
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            _saved(request, _("已登记谈心谈话。"))
            return redirect("care:talk_detail", pk=talk.pk)
    context = {
        "form": form,
        "obligation": obligation,
        "period_over": _period_over(obligation),
        "org": org,
        "pick": pick,
        "pick_choices": _pick_choices(request, org),
    }
    return render(request, "care/talk_form.html", context, status=400 if form.errors else 200)


def _render_talk(request: HttpRequest, talk: Talk, summary: str | None = None) -> HttpResponse:
    context = {
        "talk": talk,
        "summary": summary,
        "may_read_summary": services.may_read_talk_summary(request.user, talk),
        "has_summary": bool(talk.summary),
    }
    return render(request, "care/talk_detail.html", context)


@login_required
@service_errors_as_http
def talk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_talk(request, selectors.get_talk(user=request.user, pk=pk))


@login_required
@require_POST
@never_cache
@service_errors_as_http
def talk_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The talk notes, shown once on request; the service refuses outsiders and writes the read to the audit log."""
    talk = selectors.get_talk(user=request.user, pk=pk)
    summary = services.read_talk_summary(actor=request.user, talk=talk)
    return _render_talk(request, talk, summary=summary)


# --- visits ------------------------------------------------------------------------------------------------------


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = selectors.visits_visible_to(request.user)
    query = (request.GET.get("q") or "").strip()
    if query:
        visits = visits.filter(member__name__icontains=query)
    page = paginate(request, visits)
    context = {"page_obj": page, "q": query, "can_record": scope_of(request.user).allows_anywhere(RECORD)}
    return render(request, "care/visit_list.html", context)


@login_required
@service_errors_as_http
def visit_new(request: HttpRequest) -> HttpResponse:
    _require_recorder(request)
    obligation = _obligation_from(request)
    org = _record_org(request, obligation)
    pick = _pick_org(request, org, obligation.subject_member if obligation is not None else None)
    initial: dict[str, Any] = {
        "org": org,
        "pick": pick.pk if pick else None,
        "visited_on": business_today(),
        "visitors": _own_member_ids(request),
        "reason": Reason.PERIODIC,
    }
    if obligation is not None:
        initial.update(
            obligation=obligation.pk,
            member=obligation.subject_member_id,
            reason=_reason_for(obligation),
            holiday=obligation.holiday,
            reason_event=obligation.trigger_event_id,
        )
    form = VisitRecordForm(
        request.POST or None, user=request.user, org=org, pick=pick, initial=initial, holidays=_holidays_of(org)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.record_visit(
                actor=request.user,
                org=data["org"],
                member=data["member"],
                visited_on=data["visited_on"],
                visitors=list(data["visitors"]),
                reason=data["reason"],
                holiday=data["holiday"] if data["reason"] == Reason.HOLIDAY else "",
                reason_event=_reason_event(request, data.get("reason_event")),
                gifts=data["gifts"],
                money=data["money"],
                notes=data["notes"],
            )
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            _saved(request, _("已登记走访慰问。"))
            return redirect("care:visit_detail", pk=visit.pk)
    context = {
        "form": form,
        "obligation": obligation,
        "period_over": _period_over(obligation),
        "org": org,
        "pick": pick,
        "pick_choices": _pick_choices(request, org),
    }
    return render(request, "care/visit_form.html", context, status=400 if form.errors else 200)


def _render_visit(request: HttpRequest, visit: Visit, notes: str | None = None) -> HttpResponse:
    holiday_name = dict(_holidays_of(visit.org)).get(visit.holiday, visit.holiday)
    context = {
        "visit": visit,
        "notes": notes,
        "holiday_name": holiday_name,
        "may_read_notes": services.may_read_visit_notes(request.user, visit),
        "has_notes": bool(visit.notes),
    }
    return render(request, "care/visit_detail.html", context)


@login_required
@service_errors_as_http
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_visit(request, selectors.get_visit(user=request.user, pk=pk))


@login_required
@require_POST
@never_cache
@service_errors_as_http
def visit_notes(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.get_visit(user=request.user, pk=pk)
    return _render_visit(request, visit, notes=services.read_visit_notes(actor=request.user, visit=visit))


# --- political birthdays and birthday celebrations ---------------------------------------------------------------


def _month_query(org: Organisation, year: int, month: int, occasion: str) -> str:
    query = QueryDict(mutable=True)
    query.update({"org": str(org.pk), "year": str(year), "month": str(month), "occasion": occasion})
    return query.urlencode()


@login_required
@service_errors_as_http
def greetings(request: HttpRequest) -> HttpResponse:
    """The month's political birthdays (or birthdays) of a branch, pre-ticked, recorded with one submit."""
    _require_recorder(request)
    today = business_today()
    obligation = _obligation_from(request)
    ticked: set[int] | None = None
    params: dict[str, Any] = {"year": today.year, "month": today.month, "occasion": GreetingOccasion.POLITICAL_BIRTHDAY}
    org = _record_org(request, obligation)
    if obligation is not None:
        day = obligation.due_on if obligation.kind == ObligationKind.GREETING else min(today, obligation.due_on)
        params.update(year=day.year, month=day.month)
        if obligation.kind == ObligationKind.BIRTHDAY:
            params["occasion"] = GreetingOccasion.BIRTHDAY
        elif obligation.subject_member_id:
            ticked = {obligation.subject_member_id}
    month_form = GreetingMonthForm(
        request.GET if "month" in request.GET else None, user=request.user, initial={"org": org, **params}
    )
    if month_form.is_bound and month_form.is_valid():
        org = month_form.cleaned_data["org"]
        params.update(
            year=month_form.cleaned_data["year"],
            month=month_form.cleaned_data["month"],
            occasion=month_form.cleaned_data["occasion"] or GreetingOccasion.POLITICAL_BIRTHDAY,
        )
    if org is None:
        raise Http404
    occasion = params["occasion"]
    rows = selectors.birthdays_in_month(
        user=request.user, org=org, year=params["year"], month=params["month"], occasion=occasion
    )
    if ticked is None:
        ticked = {row.member.pk for row in rows if not row.greeted}
    default_action = GreetingAction.CARD if occasion == GreetingOccasion.POLITICAL_BIRTHDAY else GreetingAction.MEETING
    form = GreetingBatchForm(
        request.POST or None,
        user=request.user,
        org=org,
        initial={"greeted_on": today, "action": default_action, "members": sorted(ticked)},
    )
    if request.method == "POST":
        ticked = {int(v) for v in request.POST.getlist("members") if v.isdigit()}
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.record_greetings(
                    actor=request.user,
                    org=org,
                    members=list(data["members"]),
                    greeted_on=data["greeted_on"],
                    occasion=occasion,
                    action=data["action"],
                    note=data["note"],
                )
            except ServiceError as exc:
                attach_service_error(form, exc)
            else:
                _saved(request, _("已为 %(n)d 名党员登记。") % {"n": len(saved)})
                query = _month_query(org, params["year"], params["month"], occasion)
                return redirect(f"{reverse('care:greetings')}?{query}")
    recent = selectors.in_subtree(selectors.greetings_visible_to(request.user), org)[:20]
    context = {
        "month_form": month_form,
        "form": form,
        "org": org,
        "rows": rows,
        "ticked": ticked,
        "occasion": occasion,
        "political": occasion == GreetingOccasion.POLITICAL_BIRTHDAY,
        "year": params["year"],
        "month": params["month"],
        "obligation": obligation,
        "period_over": _period_over(obligation),
        "recent": recent,
        "action_query": _month_query(org, params["year"], params["month"], occasion),
    }
    return render(request, "care/greetings.html", context, status=400 if form.errors else 200)


# --- requested talks (约谈) -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    item: TalkRequest
    duty: Obligation | None

    @property
    def overdue(self) -> bool:
        return self.duty is not None and self.duty.state == ObligationState.OVERDUE


def _request_rows(items: Any) -> list[RequestRow]:
    items = list(items)
    duties = {
        d.trigger_request_id: d
        for d in Obligation.objects.filter(
            trigger_request__in=[i.pk for i in items], kind=ObligationKind.REQUESTED_TALK
        )
    }
    return [RequestRow(i, duties.get(i.pk)) for i in items]


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    items = selectors.talk_requests_visible_to(request.user).order_by("arranged_on", "-requested_on", "-id")
    show = request.GET.get("show", "pending")
    if show == "pending":
        items = items.filter(arranged_on__isnull=True)
    page = paginate(request, items)
    context = {
        "page_obj": page,
        "rows": _request_rows(page),
        "show": show,
        "own_member_id": scope.member_id,
        # A request is made by a member; staff register one for a member at /care/requests/new/?member=<id>.
        "can_request": scope.member_id is not None,
    }
    return render(request, "care/request_list.html", context)


def _request_member(request: HttpRequest) -> Member:
    """Whom the request is for: oneself, or (for secretaries registering it) a member in recording scope."""
    scope = scope_of(request.user)
    raw = request.POST.get("member") or request.GET.get("member")
    if raw and str(raw) != str(scope.member_id):
        member = get_member(user=request.user, pk=raw)
        if not scope.allows(RECORD, member.org.path):
            raise PermissionDenied(_("只能为管理范围内的党员登记约谈"))
        return member
    if scope.member_id is None:
        raise Http404  # a staff account registers requests for members: /care/requests/new/?member=<id>
    return get_member(user=request.user, pk=scope.member_id)


@login_required
@service_errors_as_http
def request_new(request: HttpRequest) -> HttpResponse:
    member = _request_member(request)
    form = TalkRequestForm(request.POST or None, member=member, initial={"requested_on": business_today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.request_talk(
                actor=request.user,
                member=member,
                leader=data["leader"],
                requested_on=data["requested_on"],
                topic=data["topic"],
            )
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, _("约谈申请已提交，%(leader)s 将收到提醒。") % {"leader": item.leader.name})
            return redirect("care:request_detail", pk=item.pk)
    own = member.pk == scope_of(request.user).member_id
    context = {"form": form, "member": member, "own": own}
    return render(request, "care/request_form.html", context, status=400 if form.errors else 200)


def _may_arrange(user: Any, item: TalkRequest) -> bool:
    scope = scope_of(user)
    return scope.member_id == item.leader_id or scope.allows(RECORD, item.org.path)


def _render_request(request: HttpRequest, item: TalkRequest, form: ArrangeForm | None = None) -> HttpResponse:
    scope = scope_of(request.user)
    may_arrange = _may_arrange(request.user, item)
    context = {
        "item": item,
        "row": _request_rows([item])[0],
        # The topic is between the member and the leader they asked.
        "may_read_topic": scope.member_id in (item.member_id, item.leader_id),
        "may_arrange": may_arrange,
        "form": form or (ArrangeForm(initial={"arranged_on": business_today()}) if may_arrange else None),
        "may_record_talk": scope.allows_anywhere(RECORD),
    }
    return render(request, "care/request_detail.html", context, status=400 if form is not None and form.errors else 200)


@login_required
@service_errors_as_http
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_request(request, selectors.get_talk_request(user=request.user, pk=pk))


@login_required
@require_POST
@service_errors_as_http
def request_arrange(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_talk_request(user=request.user, pk=pk)
    if not _may_arrange(request.user, item):
        raise PermissionDenied(_("只有被约谈的领导干部或负责书记可以安排"))
    form = ArrangeForm(request.POST)
    if form.is_valid():
        try:
            services.arrange_requested_talk(
                actor=request.user, request=item, arranged_on=form.cleaned_data["arranged_on"]
            )
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            _saved(request, _("已安排谈话。"))
            return redirect("care:request_detail", pk=item.pk)
    return _render_request(request, item, form)


# --- leader links ------------------------------------------------------------------------------------------------


@login_required
@service_errors_as_http
def links(request: HttpRequest) -> HttpResponse:
    today = business_today()
    scope = scope_of(request.user)
    can_add = scope.allows_anywhere(RECORD)
    adding = request.method == "POST" or request.GET.get("add") == "1"
    form = None
    if can_add and adding:
        form = LeaderLinkForm(
            request.POST or None,
            user=request.user,
            initial={"org": selectors.default_record_org(request.user), "since": today},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.link_leader(
                    actor=request.user,
                    org=data["org"],
                    leader=data["leader"],
                    member=data["member"],
                    since=data["since"],
                    kind=data["kind"],
                    category=data["category"],
                )
            except ServiceError as exc:
                attach_service_error(form, exc)
            else:
                _saved(request, _("已登记联系关系。"))
                return redirect("care:links")
    elif request.method == "POST":
        raise Http404
    items = selectors.leader_links_visible_to(request.user)
    if request.GET.get("all") != "1":
        items = items.filter(Q(until__isnull=True) | Q(until__gte=today))
    page = paginate(request, items)
    context = {
        "form": form,
        "can_add": can_add,
        "page_obj": page,
        "today": today,
        "show_all": request.GET.get("all") == "1",
    }
    return render(request, "care/links.html", context, status=400 if form is not None and form.errors else 200)


# --- needs surveys -----------------------------------------------------------------------------------------------


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    today = business_today()
    year_form = YearForm(request.GET or None)
    year = year_form.year_or(today.year)
    page = paginate(request, selectors.needs_surveys_visible_to(request.user).filter(year=year))
    context = {
        "page_obj": page,
        "year": year,
        "year_form": year_form,
        "can_record": scope_of(request.user).allows_anywhere(RECORD),
    }
    return render(request, "care/survey_list.html", context)


@login_required
@service_errors_as_http
def survey_new(request: HttpRequest) -> HttpResponse:
    _require_recorder(request)
    today = business_today()
    obligation = _obligation_from(request)
    org = _record_org(request, obligation)
    initial: dict[str, Any] = {"year": today.year, "responded_on": today}
    if obligation is not None:
        initial.update(member=obligation.subject_member_id, year=obligation.due_on.year)
    form = NeedsSurveyForm(request.POST or None, user=request.user, org=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_needs_survey(
                actor=request.user,
                member=data["member"],
                year=data["year"],
                responded_on=data["responded_on"],
                thoughts=data["thoughts"],
                needs=data["needs"],
            )
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            _saved(request, _("已登记需求调查。"))
            return redirect(f"{reverse('care:surveys')}?year={data['year']}")
    context = {"form": form, "obligation": obligation, "period_over": _period_over(obligation)}
    return render(request, "care/survey_form.html", context, status=400 if form.errors else 200)


# --- 50-year medals ----------------------------------------------------------------------------------------------


@login_required
@service_errors_as_http
def medals(request: HttpRequest) -> HttpResponse:
    today = business_today()
    year_form = YearForm(request.GET or None)
    year = year_form.year_or(today.year)
    scope = scope_of(request.user)
    form = MedalAwardForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            duty = get_obligation(user=request.user, pk=form.cleaned_data["obligation"])
            if duty.kind != ObligationKind.MEDAL or duty.subject_member is None:
                raise Http404
            try:
                services.award_medal(
                    actor=request.user,
                    member=duty.subject_member,
                    year=int(duty.period_key),
                    awarded_on=form.cleaned_data["awarded_on"],
                    medal=medal_name_for(duty),
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                _saved(request, _("已登记颁发：%(name)s。") % {"name": duty.subject_member.name})
            return redirect(f"{reverse('care:medals')}?year={duty.period_key}")
        messages.error(request, _("请填写颁发日期。"))
    duties = medal_duties(user=request.user, year=year)
    page = paginate(request, duties)
    rows = [(d, scope.allows(RECORD, d.responsible_path)) for d in page]
    context = {"page_obj": page, "rows": rows, "year": year, "year_form": year_form, "today": today}
    return render(request, "care/medals.html", context)
