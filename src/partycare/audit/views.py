"""The audit log browser (auditors and org admins, limited to their subtree)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from partycare.accounts.scope import VIEW_AUDIT, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.selectors import audit_entries
from partycare.web.forms import StyledForm
from partycare.web.http import paginate

OBJECT_TYPES = [
    ("", _("全部")),
    ("members.member", _("党员")),
    ("members.lifeevent", _("党员事件")),
    ("members.discipline", _("组织处理/纪律处分")),
    ("members.honour", _("荣誉表彰")),
    ("orgs.organisation", _("党组织")),
    ("orgs.orgpost", _("组织职务")),
    ("accounts.user", _("账号")),
    ("accounts.rolegrant", _("角色授权")),
]


class AuditFilterForm(StyledForm):
    actor_label = forms.CharField(label=_("操作人"), required=False)
    event = forms.CharField(
        label=_("事件"), required=False, widget=forms.TextInput(attrs={"placeholder": "member.update"})
    )
    object_type = forms.ChoiceField(label=_("对象类型"), required=False, choices=OBJECT_TYPES)
    object_id = forms.CharField(label=_("对象ID"), required=False, max_length=64)
    date_from = forms.DateField(label=_("起始日期"), required=False)
    date_to = forms.DateField(label=_("截止日期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A link from an object's page may name a type this list does not offer; keep it selectable.
        value = self.data.get("object_type") if self.is_bound else None
        if value and value not in dict(OBJECT_TYPES):
            self.fields["object_type"].choices = [*OBJECT_TYPES, (value, value)]


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).allows_anywhere(VIEW_AUDIT):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = paginate(request, audit_entries(user=request.user, **filters))
    return render(
        request, "audit/list.html", {"form": form, "page_obj": page, "actions": dict(AuditEntry.Action.choices)}
    )
