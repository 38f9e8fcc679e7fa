"""The form door: typed access to a form's choice fields, and the one form renderer.

`Form.fields` is typed as a mapping of plain `Field`s, so setting a field's queryset, choices or
labels in `__init__` goes through these two functions, which name the field's real class.
"""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, a ChoiceField (or a subclass such as MultipleChoiceField)."""
    return cast(forms.ChoiceField, form.fields[name])


def model_choice_field(form: forms.BaseForm, name: str) -> "forms.ModelChoiceField[Any]":
    """The form's field `name`, a ModelChoiceField or ModelMultipleChoiceField."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


# ---- the one form renderer -------------------------------------------------------------------
#
# Every input form of every module is a `StyledForm` (or `StyledModelForm`): its widgets carry
# Bootstrap's classes, a field with an error is marked `is-invalid`, and every DateField uses
# the one date widget (the browser's date picker, ISO dates). Templates render the whole form
# with `{% include "lib/_form.html" %}` (fields, help, errors, required marks), or one field
# with `lib/_field.html`. An action's refusal goes onto the form with `add_errors()`.


class DateInput(forms.DateInput):
    """The one date widget: the browser's date picker, dates as 2026-12-01."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d") -> None:  # noqa: A002 (Django's name)
        super().__init__(attrs=attrs, format=format)


class MonthInput(forms.DateInput):
    """The month picker (2026-11) for monthly periods."""

    input_type = "month"

    def __init__(self, attrs=None, format="%Y-%m") -> None:  # noqa: A002 (Django's name)
        super().__init__(attrs=attrs, format=format)


def style_widgets(form: forms.BaseForm, *, small: bool = False) -> None:
    """Bootstrap classes on every widget of `form` (`-sm` ones for a filter bar) and DateFields
    on the one date widget."""
    size = " form-control-sm" if small else ""
    select_size = " form-select-sm" if small else ""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and type(field.widget) is forms.DateInput:
            field.widget = DateInput(attrs=field.widget.attrs)
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
            css = "form-check-input"
        elif isinstance(widget, (forms.RadioSelect,)):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + select_size
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control" + size
        if not isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            widget.attrs.setdefault("class", css)


def mark_invalid(form: forms.BaseForm) -> None:
    """`is-invalid` (and aria-invalid) on the widgets of the fields that have errors."""
    for name in getattr(form, "_errors", None) or {}:
        field = form.fields.get(name)
        if field is not None and "is-invalid" not in field.widget.attrs.get("class", ""):
            field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " is-invalid"
            field.widget.attrs["aria-invalid"] = "true"


class StyledMixin:
    """Styles the widgets when the form is made (see `style_widgets`)."""

    small_widgets = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        style_widgets(self, small=self.small_widgets)  # type: ignore[arg-type]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        mark_invalid(self)  # type: ignore[arg-type]


class StyledForm(StyledMixin, forms.Form):
    """The base of every input form."""


class StyledModelForm(StyledMixin, forms.ModelForm):
    """The base of every model form."""


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put an action's ValidationError next to the fields it names; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)
