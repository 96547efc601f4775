"""Forms for the organisation screens. They only parse input; `partycare.orgs.services` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partycare.members.models import Member
from partycare.members.selectors import MemberFilter, member_list
from partycare.orgs.models import ALLOWED_PARENT_KINDS, Organisation, OrgKind, OrgStatus, PostKind
from partycare.web.forms import StyledForm, StyledModelForm

ORG_LABELS = {
    "name": _("名称"),
    "short_name": _("简称"),
    "kind": _("类型"),
    "code": _("组织编码"),
    "founded_on": _("成立日期"),
    "status": _("状态"),
    "note": _("备注"),
}


class OrganisationForm(StyledModelForm):
    class Meta:
        model = Organisation
        fields = ("name", "short_name", "kind", "code", "founded_on", "status", "note")
        labels = ORG_LABELS
        help_texts = {"code": _("可选；导入花名册时可用编码代替名称")}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class ChildOrganisationForm(OrganisationForm):
    class Meta(OrganisationForm.Meta):
        fields = ("name", "short_name", "kind", "code", "founded_on", "note")

    def __init__(self, *args: Any, parent: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only kinds that may sit under this parent; the service still checks.
        allowed = [(value, label) for value, label in OrgKind.choices if parent.kind in ALLOWED_PARENT_KINDS[value]]
        self.fields["kind"].choices = [("", "---------"), *allowed]


class ParentSelect(forms.Select):
    """Organisations in the moved subtree are listed but disabled: choosing one would make a cycle."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disabled_values: set[str] = set()

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class IndentedOrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}"


class MoveOrganisationForm(StyledForm):
    new_parent = IndentedOrgChoiceField(
        queryset=Organisation.objects.none(), label=_("新的上级组织"), widget=ParentSelect
    )

    def __init__(self, *args: Any, org: Organisation, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_parent"]
        field.queryset = parents
        field.widget.disabled_values = {
            str(pk) for pk in parents.filter(path__startswith=org.path).values_list("pk", flat=True)
        }


class AssignPostForm(StyledForm):
    member = forms.CharField(label=_("党员"), max_length=50, help_text=_("输入姓名；如有同名，请输入身份证号"))
    post = forms.ChoiceField(label=_("职务"), choices=PostKind.choices)
    since = forms.DateField(label=_("任职起"))
    until = forms.DateField(label=_("任职止"), required=False)

    def __init__(self, *args: Any, org: Organisation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        self.user = user

    def clean_member(self) -> Member:
        """Looked up by name or exact ID number among the organisation's own members and its subtree's."""
        query = self.cleaned_data["member"].strip()
        matches = list(member_list(user=self.user, filters=MemberFilter(q=query, org_id=self.org.pk))[:6])
        exact = [m for m in matches if m.name == query]
        if len(exact) == 1:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(_("本组织及下级组织中没有找到该党员"))
        raise forms.ValidationError(_("找到多名党员，请输入完整姓名或身份证号以区分"))


class EndPostForm(StyledForm):
    until = forms.DateField(label=_("任职止"))


class OrgTreeFilterForm(StyledForm):
    q = forms.CharField(label=_("名称"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *OrgStatus.choices])
