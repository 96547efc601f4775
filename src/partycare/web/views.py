"""The home page: who I am here (roles and organisations) and how many members my scope covers."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partycare.accounts.models import Role
from partycare.accounts.scope import scope_of
from partycare.members.models import MemberCategory
from partycare.members.selectors import members_visible_to
from partycare.orgs.models import Organisation


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
    context = {
        "scope_lines": lines,
        "member_total": sum(by_category.values()),
        "member_by_category": [(label, by_category.get(value, 0)) for value, label in MemberCategory.choices],
        "own_member": getattr(request.user, "member", None),
    }
    return render(request, "web/home.html", context)
