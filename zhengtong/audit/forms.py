"""The filter form of the audit log page."""

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .labels import action_choices, target_type_choices
from .models import Event


class EventFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人(用户名)"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("动作"), required=False)
    kind = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部"))] + list(Event.Kind.choices), required=False
    )
    target_type = forms.ChoiceField(label=_("对象类型"), required=False)
    target_id = forms.CharField(label=_("对象编号"), max_length=40, required=False)
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ip = forms.GenericIPAddressField(label=_("IP 地址"), required=False)

    error_messages = {"date_order": _("结束日期不能早于开始日期。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部"))] + action_choices()
        self.fields["target_type"].choices = [("", _("全部"))] + target_type_choices()
        self.fields["action"].error_messages["invalid_choice"] = _("动作不存在。")
        self.fields["target_type"].error_messages["invalid_choice"] = _("对象类型不存在。")
        self.fields["date_from"].error_messages["invalid"] = _("开始日期格式不正确,应为 年-月-日。")
        self.fields["date_to"].error_messages["invalid"] = _("结束日期格式不正确,应为 年-月-日。")
        self.fields["ip"].error_messages["invalid"] = _("IP 地址格式不正确。")
        self.fields["kind"].error_messages["invalid_choice"] = _("类别不存在。")
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"
            if self.is_bound and name in self.errors:
                field.widget.attrs["class"] += " is-invalid"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", self.error_messages["date_order"])
        return data

    def filter(self, events: QuerySet[Event]) -> QuerySet[Event]:
        """Apply the valid filters; an invalid form matches nothing rather than everything."""
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["actor"]:
            events = events.filter(actor__username=data["actor"].strip())
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["target_type"]:
            events = events.filter(target_type=data["target_type"])
        if data["target_id"]:
            events = events.filter(target_id=data["target_id"].strip())
        if data["ip"]:
            events = events.filter(ip=data["ip"])
        # Dates are calendar days in Asia/Shanghai (TIME_ZONE), whatever the database stores.
        tz = timezone.get_default_timezone()
        if data["date_from"]:
            start = datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=tz)
            events = events.filter(created_at__gte=start)
        if data["date_to"]:
            end_day = data["date_to"] + datetime.timedelta(days=1)
            end = datetime.datetime.combine(end_day, datetime.time.min, tzinfo=tz)
            events = events.filter(created_at__lt=end)
        return events
