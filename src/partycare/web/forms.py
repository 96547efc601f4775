"""Form plumbing shared by every screen: Bootstrap classes on widgets, dates as native pickers."""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The native picker only accepts ISO dates, whatever the active language formats dates as.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StyledFormMixin:
    """Adds Bootstrap classes to every widget (and marks invalid fields once the form has been validated)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(field, forms.DateField) and not isinstance(widget, DateInput):
                field.widget = DateInput(attrs=widget.attrs)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    def _post_clean(self) -> None:
        """Model validation belongs to the service (one rule set for forms, imports and the API), so the form
        only checks the shape of each field and the service's refusal is shown on the form."""
