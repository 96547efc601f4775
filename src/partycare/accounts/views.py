"""Account management for organisation administrators: list, create, grant and revoke roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partycare.accounts import services
from partycare.accounts.forms import CreateAccountForm, GrantRoleForm
from partycare.accounts.models import User
from partycare.accounts.scope import MANAGE_ACCOUNTS, scope_of
from partycare.accounts.selectors import accounts_visible_to, get_account, get_grant, grants_visible_to
from partycare.common.errors import ServiceError
from partycare.members.selectors import get_member
from partycare.web.http import attach_service_error, paginate, service_errors_as_http


def _require_manager(request: HttpRequest) -> None:
    if not scope_of(request.user).allows_anywhere(MANAGE_ACCOUNTS):
        raise Http404


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    accounts = accounts_visible_to(request.user).select_related("member", "member__org")
    query = request.GET.get("q", "").strip()
    if query:
        accounts = accounts.filter(
            Q(username__icontains=query) | Q(display_name__icontains=query) | Q(member__name__icontains=query)
        )
    page = paginate(request, accounts.prefetch_related("role_grants__org"))
    return render(request, "accounts/list.html", {"page_obj": page, "q": query})


@login_required
@service_errors_as_http
def account_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    member_pk = request.POST.get("member") or request.GET.get("member")
    linked_member = get_member(user=request.user, pk=member_pk, action=MANAGE_ACCOUNTS) if member_pk else None
    form = CreateAccountForm(
        request.POST or None,
        user=request.user,
        initial={"member": linked_member, "display_name": linked_member.name if linked_member else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The account and its first role stand or fall together.
            with transaction.atomic():
                account = services.create_account(
                    actor=request.user,
                    username=data["username"],
                    password=data["password1"],
                    org=data["org"],
                    member=data["member"],
                    display_name=data["display_name"],
                    email=data["email"],
                )
                if data["role"]:
                    services.grant_role(actor=request.user, user=account, org=data["org"], role=data["role"])
        except ServiceError as exc:
            attach_service_error(form, exc, field_map={"password": "password1"})
        else:
            messages.success(request, _("已创建账号“%(username)s”。") % {"username": account.username})
            return redirect("accounts:detail", pk=account.pk)
    context = {"form": form, "linked_member": linked_member}
    return render(request, "accounts/create.html", context, status=400 if form.errors else 200)


def _render_detail(request: HttpRequest, account: User, grant_form: GrantRoleForm | None = None) -> HttpResponse:
    context = {
        "account": account,
        "grants": account.role_grants.select_related("org").order_by("org__path", "role"),
        "revocable": set(grants_visible_to(request.user).filter(user=account).values_list("pk", flat=True)),
        "grant_form": grant_form or GrantRoleForm(user=request.user),
    }
    return render(request, "accounts/detail.html", context, status=400 if grant_form else 200)


@login_required
@service_errors_as_http
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    return _render_detail(request, get_account(user=request.user, pk=pk))


@login_required
@require_POST
@service_errors_as_http
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    account = get_account(user=request.user, pk=pk)
    form = GrantRoleForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.grant_role(actor=request.user, user=account, **form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, _("已授予角色。"))
            return redirect("accounts:detail", pk=account.pk)
    return _render_detail(request, account, grant_form=form)


@login_required
@require_POST
@service_errors_as_http
def revoke(request: HttpRequest, grant_pk: int) -> HttpResponse:
    _require_manager(request)
    role_grant = get_grant(user=request.user, pk=grant_pk)
    account_pk = role_grant.user_id
    services.revoke_role(actor=request.user, grant=role_grant)
    messages.success(request, _("已撤销角色。"))
    return redirect("accounts:detail", pk=account_pk)
