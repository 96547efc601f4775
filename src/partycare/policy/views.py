"""Policy screens: the shipped presets, and the pack in force for an organisation with its history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partycare.accounts.scope import MANAGE_ORGS, scope_of
from partycare.common.dates import business_today
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.orgs.selectors import get_organisation, organisations_visible_to
from partycare.policy import services
from partycare.policy.errors import PackInvalid
from partycare.policy.forms import ActivatePackForm, AsOfForm
from partycare.policy.loader import load_preset, preset_slugs
from partycare.policy.schema import PolicyPack
from partycare.policy.selectors import activation_history, pack_in_force
from partycare.policy.summary import not_encoded, summarise
from partycare.web.http import service_errors_as_http

# The organisations listed on the index page: the top of the user's scope, not the whole tree.
INDEX_ORG_LIMIT = 30


def _presets() -> list[PolicyPack]:
    packs = []
    for slug in preset_slugs():
        try:
            packs.append(load_preset(slug))
        except PackInvalid:
            continue  # a broken preset is reported by `partycare policy validate --presets`, not by a 500 here
    return packs


def _pack_context(pack: PolicyPack) -> dict[str, object]:
    return {"pack": pack, "sections": summarise(pack), "not_encoded": not_encoded(pack)}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    today = business_today()
    visible = organisations_visible_to(request.user)
    top_depth = visible.order_by("depth").values_list("depth", flat=True).first()
    rows = []
    if top_depth is not None:
        for org in visible.filter(depth=top_depth)[:INDEX_ORG_LIMIT]:
            rows.append((org, pack_in_force(org, today)))
    return render(request, "policy/index.html", {"presets": _presets(), "org_rows": rows, "today": today})


@login_required
def preset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in preset_slugs():
        raise Http404
    try:
        pack = load_preset(slug)
    except PackInvalid as exc:
        return render(request, "policy/invalid.html", {"slug": slug, "issues": exc.issues}, status=500)
    return render(request, "policy/preset.html", _pack_context(pack))


@login_required
@service_errors_as_http
def org_pack(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_organisation(user=request.user, pk=org_id)
    form = AsOfForm(request.GET or None)
    as_of = business_today()
    if form.is_valid() and form.cleaned_data["as_of"]:
        as_of = form.cleaned_data["as_of"]
    found = pack_in_force(org, as_of)
    can_manage = scope_of(request.user).allows(MANAGE_ORGS, org.path)
    context: dict[str, object] = {
        "org": org,
        "as_of": as_of,
        "as_of_form": form,
        "found": found,
        "history": list(activation_history(org)),
        "can_manage": can_manage,
    }
    if found is not None:
        context.update(_pack_context(found.pack))
    if can_manage:
        context["activate_form"] = ActivatePackForm(
            presets=[(p.slug, f"{p.metadata.name}（{p.slug} v{p.version}）") for p in _presets()],
            initial={"effective_from": business_today()},
        )
    return render(request, "policy/org.html", context)


@login_required
@require_POST
@service_errors_as_http
def activate(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_organisation(user=request.user, pk=org_id)
    form = ActivatePackForm(request.POST, presets=[(s, s) for s in preset_slugs()])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("policy:org", org_id=org.pk)
    try:
        activation = services.activate_pack(
            actor=request.user,
            org=org,
            pack=form.cleaned_data["pack"],
            effective_from=form.cleaned_data["effective_from"],
            note=form.cleaned_data["note"],
        )
    except services.PackRejected as exc:
        messages.error(request, exc.message + "：" + "；".join(exc.fields.get("pack", [])))
    except PermissionDenied:
        raise  # → 403 through service_errors_as_http
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已启用“{activation.pack_name}”v{activation.pack_version}，自 {activation.effective_from} 起生效。",
        )
    return redirect("policy:org", org_id=org.pk)
