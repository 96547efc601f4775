"""The home page: my open and overdue duties with one click to record each, my inbox, who I am here (roles and
organisations) and how many members my scope covers."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partycare.accounts.models import Role
from partycare.accounts.scope import RECORD, VIEW, scope_of
from partycare.common.dates import business_today
from partycare.members.models import MemberCategory
from partycare.members.selectors import members_visible_to
from partycare.obligations.models import ObligationState
from partycare.obligations.reminders import unread_count
from partycare.obligations.selectors import my_duties, state_counts, unread_notifications
from partycare.obligations.views import duty_rows
from partycare.orgs.models import Organisation
from partycare.web.context_processors import may_have_duties

# The home page shows the most urgent duties; the rest are one click away on the duty list.
HOME_DUTY_LIMIT = 15
HOME_INBOX_LIMIT = 5


@dataclass(frozen=True)
class ScopeLine:
    role_label: str
    org: Organisation | None
    member_count: int


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    orgs_by_path = {org.path: org for org in Organisation.objects.filter(path__in={p for p, _ in scope.grants})}
    visible = members_visible_to(request.user).on_roll()
    lines = [
        ScopeLine(
            role_label=Role(role).label if role in Role.values else role,
            org=orgs_by_path.get(path),
            member_count=visible.filter(org__path__startswith=path).count(),
        )
        for path, role in sorted(set(scope.grants))
    ]
    by_category = dict(visible.values_list("category").annotate(n=Count("id")).order_by())
    today = business_today()
    duties = my_duties(user=request.user, as_of=today)
    counts = state_counts(duties)
    if scope.member_id:
        # What is on me in person (a member's request, my own links) before what is on my organisation.
        mine_first = Case(When(responsible_member_id=scope.member_id, then=Value(0)), default=Value(1))
        duties = duties.order_by(mine_first, "due_on", "id")
    context = {
        "today": today,
        "duty_rows": duty_rows(duties[:HOME_DUTY_LIMIT], today),
        "duty_total": sum(counts.values()),
        "duty_overdue": counts.get(ObligationState.OVERDUE, 0),
        "unread": unread_count(request.user),
        "inbox": list(unread_notifications(request.user)[:HOME_INBOX_LIMIT]),
        "can_record": scope.allows_anywhere(RECORD),
        "has_duties": may_have_duties(request.user) or bool(counts),
        "sees_supervision": scope.allows_anywhere(VIEW),
        "scope_lines": lines,
        "member_total": sum(by_category.values()),
        "member_by_category": [(label, by_category.get(value, 0)) for value, label in MemberCategory.choices],
        "own_member": getattr(request.user, "member", None),
    }
    return render(request, "web/home.html", context)
