"""Forms for the policy screens. They only parse input; `partycare.policy.services` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partycare.web.forms import StyledForm


class AsOfForm(StyledForm):
    as_of = forms.DateField(label=_("查询日期"), required=False)


class ActivatePackForm(StyledForm):
    pack = forms.ChoiceField(label=_("预置政策包"))
    effective_from = forms.DateField(label=_("生效日期"))
    note = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args: Any, presets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pack_field = self.fields["pack"]
        assert isinstance(pack_field, forms.ChoiceField)
        pack_field.choices = presets
