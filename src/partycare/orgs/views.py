"""Organisation screens: the tree, one organisation, and the changes made to it (through orgs.services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partycare.accounts.scope import MANAGE_ORGS, scope_of
from partycare.common.dates import business_today
from partycare.common.errors import ServiceError
from partycare.members.models import RollState
from partycare.orgs import services
from partycare.orgs.forms import (
    AssignPostForm,
    ChildOrganisationForm,
    EndPostForm,
    MoveOrganisationForm,
    OrganisationForm,
    OrgTreeFilterForm,
)
from partycare.orgs.models import Organisation, OrgPost
from partycare.orgs.selectors import get_organisation, organisations_visible_to, subtree
from partycare.web.http import attach_service_error, service_errors_as_http


def _ancestors(org: Organisation, user: object) -> list[Organisation]:
    """Ancestors the user may see, for breadcrumbs (a branch secretary's trail starts at their branch)."""
    return list(organisations_visible_to(user).filter(pk__in=[a.pk for a in Organisation.objects.get_ancestors(org)]))


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    form = OrgTreeFilterForm(request.GET or None)
    orgs = organisations_visible_to(request.user).annotate(
        member_count=Count("members", filter=Q(members__roll_state=RollState.ACTIVE))
    )
    if form.is_valid():
        if form.cleaned_data["q"]:
            orgs = orgs.filter(name__icontains=form.cleaned_data["q"])
        if form.cleaned_data["status"]:
            orgs = orgs.filter(status=form.cleaned_data["status"])
    rows = list(orgs)
    top = min((org.depth for org in rows), default=1)
    for org in rows:
        org.indent = org.depth - top
    return render(request, "orgs/tree.html", {"rows": rows, "form": form})


def _detail_context(request: HttpRequest, org: Organisation) -> dict[str, object]:
    today = business_today()
    posts = list(OrgPost.objects.filter(org=org).select_related("member").order_by("post", "-since"))
    current = [p for p in posts if p.since <= today and (p.until is None or p.until >= today)]
    can_manage = scope_of(request.user).allows(MANAGE_ORGS, org.path)
    return {
        "org": org,
        "ancestors": _ancestors(org, request.user),
        "parent": Organisation.objects.get_parent(org),
        "children": organisations_visible_to(request.user).filter(
            pk__in=Organisation.objects.get_children(org).values("pk")
        ),
        "current_posts": current,
        "past_posts": [p for p in posts if p not in current],
        "member_count": org.members.on_roll().count(),
        "subtree_member_count": subtree(org).aggregate(
            n=Count("members", filter=Q(members__roll_state=RollState.ACTIVE))
        )["n"],
        "can_manage": can_manage,
        "post_form": AssignPostForm(org=org, user=request.user) if can_manage else None,
        "end_post_form": EndPostForm(initial={"until": today}) if can_manage else None,
    }


@login_required
@service_errors_as_http
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organisation(user=request.user, pk=pk)
    return render(request, "orgs/detail.html", _detail_context(request, org))


def _managed(request: HttpRequest, pk: int) -> Organisation:
    """An organisation the user may restructure; others look missing (404), like everything out of scope."""
    org = get_organisation(user=request.user, pk=pk)
    if not scope_of(request.user).allows(MANAGE_ORGS, org.path):
        raise Http404
    return org


@login_required
@service_errors_as_http
def create_child(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _managed(request, pk)
    form = ChildOrganisationForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.create_organisation(actor=request.user, parent=parent, **form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc, field_map={"parent": "kind"})
        else:
            messages.success(request, _("已新建下级组织“%(name)s”。") % {"name": child.name})
            return redirect("orgs:detail", pk=child.pk)
    context = {"form": form, "parent": parent, "ancestors": _ancestors(parent, request.user)}
    return render(request, "orgs/form.html", context)


@login_required
@service_errors_as_http
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _managed(request, pk)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(actor=request.user, org=org, changes=form.cleaned_data)
        except ServiceError as exc:
            org.refresh_from_db()  # the service set the refused values on this instance; show the stored ones
            attach_service_error(form, exc, field_map={"parent": "kind"})
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "org": org, "ancestors": _ancestors(org, request.user)})


@login_required
@service_errors_as_http
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps: pick the new parent, then confirm what moves (the whole subtree and its members)."""
    org = _managed(request, pk)
    parents = organisations_visible_to(request.user, MANAGE_ORGS).exclude(pk=org.pk)
    form = MoveOrganisationForm(request.POST or None, org=org, parents=parents)
    context: dict[str, object] = {"org": org, "form": form, "ancestors": _ancestors(org, request.user)}
    if request.method == "POST" and form.is_valid():
        new_parent = form.cleaned_data["new_parent"]
        if request.POST.get("confirm") == "yes":
            try:
                services.move_organisation(actor=request.user, org=org, new_parent=new_parent)
            except ServiceError as exc:
                attach_service_error(form, exc, field_map={"parent": "new_parent"})
            else:
                messages.success(
                    request, _("已将“%(org)s”移到“%(parent)s”之下。") % {"org": org.name, "parent": new_parent.name}
                )
                return redirect("orgs:detail", pk=org.pk)
        else:
            moved = subtree(org)
            context.update(
                confirming=True,
                new_parent=new_parent,
                moved_org_count=moved.count(),
                moved_member_count=moved.aggregate(n=Count("members", filter=Q(members__roll_state=RollState.ACTIVE)))[
                    "n"
                ],
            )
    return render(request, "orgs/move.html", context)


@login_required
@require_POST
@service_errors_as_http
def assign_post(request: HttpRequest, pk: int) -> HttpResponse:
    org = _managed(request, pk)
    form = AssignPostForm(request.POST, org=org, user=request.user)
    if form.is_valid():
        try:
            services.assign_post(actor=request.user, org=org, **form.cleaned_data)
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            messages.success(request, _("已任命。"))
            return redirect("orgs:detail", pk=org.pk)
    context = _detail_context(request, org)
    context["post_form"] = form
    return render(request, "orgs/detail.html", context, status=400)


@login_required
@require_POST
@service_errors_as_http
def end_post(request: HttpRequest, pk: int, post_pk: int) -> HttpResponse:
    org = _managed(request, pk)
    post = OrgPost.objects.filter(org=org, pk=post_pk).select_related("member", "org").first()
    if post is None:
        raise Http404
    form = EndPostForm(request.POST)
    if form.is_valid():
        try:
            services.end_post(actor=request.user, post=post, until=form.cleaned_data["until"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已免去%(member)s的%(post)s职务。") % {"member": post.member.name, "post": post.get_post_display()},
            )
    else:
        messages.error(request, _("请填写有效的任职止日期。"))
    return redirect("orgs:detail", pk=org.pk)
