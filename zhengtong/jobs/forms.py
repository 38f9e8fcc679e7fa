from django import forms

from .models import JobState


class JobFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["state"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "全部"), *JobState.choices]
        field.error_messages["invalid_choice"] = "没有这个状态。"
