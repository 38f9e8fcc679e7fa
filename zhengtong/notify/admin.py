"""消息模板 in 系统管理: edited by system administrators, previewed on sample data."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from zhengtong.audit.admin import AuditedModelAdmin

from .events import EVENTS, event_label
from .models import Channel, MessageTemplate
from .rendering import UnsafeContent, placeholders, render


class MessageTemplateForm(forms.ModelForm):
    event = forms.ChoiceField(label="事件", choices=[(k, v.label) for k, v in EVENTS.items()])

    class Meta:
        model = MessageTemplate
        fields = ["event", "channel", "item", "text", "provider_template_code", "is_active"]

    def clean(self):
        data = super().clean() or {}
        text, event = data.get("text") or "", data.get("event") or ""
        try:
            used = placeholders(text)
        except ValueError:
            self.add_error("text", "模板格式不正确:花括号须成对出现。")
            return data
        known = set(EVENTS[event].sample) if event in EVENTS else set()
        unknown = [name for name in used if name not in known]
        if unknown:
            self.add_error(
                "text",
                f"以下占位符不属于该事件:{'、'.join(unknown)}。可用:{'、'.join(sorted(known))}。",
            )
        if data.get("channel") == Channel.SMS and not data.get("provider_template_code"):
            self.add_error("provider_template_code", "短信模板须填写短信平台模板编号。")
        return data


def preview_text(template: MessageTemplate) -> str:
    info = EVENTS.get(template.event)
    sample = info.sample if info else {}
    try:
        return render(
            template.text, sample, channel=template.channel, recipient_name=sample.get("name", "")
        )
    except (UnsafeContent, ValueError) as exc:
        return f"无法预览:{exc}"


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedModelAdmin):
    form = MessageTemplateForm
    list_display = ["event_name", "channel", "item", "is_active", "preview", "updated_at"]
    list_filter = ["channel", "is_active"]
    readonly_fields = ["preview", "available"]
    fields = [
        "event",
        "channel",
        "item",
        "text",
        "available",
        "preview",
        "provider_template_code",
        "is_active",
    ]

    @admin.display(description="事件", ordering="event")
    def event_name(self, obj: MessageTemplate) -> str:
        return event_label(obj.event)

    @admin.display(description="预览(示例数据;短信中姓名只显示姓)")
    def preview(self, obj: MessageTemplate) -> str:
        if not obj.pk:
            return "保存后显示预览。"
        return format_html('<span class="text-break">{}</span>', preview_text(obj))

    @admin.display(description="可用占位符")
    def available(self, obj: MessageTemplate) -> str:
        info = EVENTS.get(obj.event) if obj.pk else None
        if info is None:
            return "、".join(
                f"{v.label}:{' '.join('{' + k + '}' for k in v.sample)}" for v in EVENTS.values()
            )
        return " ".join("{" + k + "}" for k in info.sample)
