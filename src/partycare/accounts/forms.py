"""Forms for account management. `partycare.accounts.services` checks scope and password strength."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partycare.accounts.models import Role
from partycare.accounts.scope import MANAGE_ACCOUNTS
from partycare.members.selectors import members_visible_to
from partycare.orgs.forms import IndentedOrgChoiceField
from partycare.orgs.selectors import organisations_visible_to
from partycare.web.forms import StyledForm


class GrantRoleForm(StyledForm):
    org = IndentedOrgChoiceField(queryset=None, label=_("党组织（含下级）"))
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = organisations_visible_to(user, MANAGE_ACCOUNTS)


class CreateAccountForm(StyledForm):
    """A login for a member (reached from the member's page) or a staff account, which starts with a role."""

    member = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("显示名"), max_length=100, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    password1 = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    role = forms.ChoiceField(label=_("授予角色"), required=False, choices=[("", "---------"), *Role.choices])
    org = IndentedOrgChoiceField(queryset=None, label=_("党组织（含下级）"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members_visible_to(user, MANAGE_ACCOUNTS)
        self.fields["org"].queryset = organisations_visible_to(user, MANAGE_ACCOUNTS)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致"))
        if not data.get("member") and not data.get("role"):
            self.add_error("role", _("工作人员账号需要授予一个角色"))
        if data.get("role") and not data.get("org"):
            self.add_error("org", _("请选择授予角色的党组织"))
        return data
