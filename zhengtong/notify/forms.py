from django import forms

from .models import Channel, State


class OutboxFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False)
    channel = forms.ChoiceField(label="渠道", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, choices, error in (
            ("state", State.choices, "没有这个状态。"),
            ("channel", Channel.choices, "没有这个渠道。"),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "全部"), *choices]
            field.error_messages["invalid_choice"] = error

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("channel"):
            queryset = queryset.filter(channel=data["channel"])
        return queryset
