"""Typed access to a form's choice fields.

`Form.fields` is typed as a mapping of plain `Field`s, so setting a field's queryset, choices or
labels in `__init__` goes through these two functions, which name the field's real class.
"""

from typing import Any, cast

from django import forms


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, a ChoiceField (or a subclass such as MultipleChoiceField)."""
    return cast(forms.ChoiceField, form.fields[name])


def model_choice_field(form: forms.BaseForm, name: str) -> "forms.ModelChoiceField[Any]":
    """The form's field `name`, a ModelChoiceField or ModelMultipleChoiceField."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])
