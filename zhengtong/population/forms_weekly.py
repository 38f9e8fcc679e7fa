"""Forms of the 计生采风 pages: they parse input only; the rules live in actions/weekly_posts.py."""

from django import forms
from django.db.models import QuerySet

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.lib import periods
from zhengtong.lib.forms import StyledForm, style_widgets

from .models import WeeklyPost
from .selectors import POPULATION_ROLES, weekly_town_staff, weekly_towns_for


class WeeklyFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *WeeklyPost.Status.choices]
    )

    def filter(self, queryset: QuerySet) -> QuerySet:
        status = self.cleaned_data.get("status")
        return queryset.filter(status=status) if status else queryset


class WeeklyCreateForm(StyledForm):
    """The township (when the office keeps several) and the ISO week of the new post."""

    org_unit = forms.ModelChoiceField(
        label="乡镇", queryset=OrgUnit.objects.none(), empty_label=None
    )
    week = forms.CharField(
        label="周次",
        max_length=8,
        help_text="格式 YYYY-Www,例如 2026-W47;默认本周。",
        widget=forms.TextInput(attrs={"type": "week"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        field.queryset = weekly_towns_for(user, POPULATION_ROLES).order_by("path")  # type: ignore[attr-defined]
        field.error_messages["invalid_choice"] = "请选择本人所在的乡镇。"
        field.error_messages["required"] = "请选择乡镇。"
        self.fields["week"].error_messages["required"] = "周次不能为空。"

    def clean_week(self):
        try:
            period = periods.parse_week(self.cleaned_data["week"])
        except periods.PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None
        if period is None:
            raise forms.ValidationError("周次不能为空。")
        return period.start


class WeeklyPostForm(StyledForm):
    """The draft: the week's text, its 工作标兵, one text per 管区 line, photos to take off
    (photos to add come as files named `photos`)."""

    summary = forms.CharField(
        label="本周工作动态",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="计生办一周的工作动态和工作情况,将随照片一起公开。请勿写入群众的姓名、身份证号等个人信息。",
    )
    model_worker = forms.ModelChoiceField(
        label="本周工作标兵",
        queryset=User.objects.none(),
        required=False,
        empty_label="(不评选)",
    )
    model_reason = forms.CharField(label="标兵事迹", max_length=300, required=False)
    remove_photos = forms.MultipleChoiceField(
        label="删除照片", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, post: WeeklyPost, lines: list, photos: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["summary"].error_messages["required"] = "本周工作动态不能为空。"
        self.fields["summary"].error_messages["max_length"] = "本周工作动态不能超过 3000 个字。"
        self.fields["model_reason"].error_messages["max_length"] = "标兵事迹不能超过 300 个字。"
        worker = self.fields["model_worker"]
        worker.queryset = weekly_town_staff(post.org_unit)  # type: ignore[attr-defined]
        worker.label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]
        worker.error_messages["invalid_choice"] = "工作标兵须是本镇计生办或管区的工作人员。"
        self.line_names = []
        for line in lines:
            name = f"line_{line.pk}"
            self.fields[name] = forms.CharField(
                label=f"{line.worker.display_name}({line.area.name})",
                max_length=300,
                required=False,
                initial=line.text,
                help_text=f"系统记录:本周完成随访 {line.followups} 次、入户走访 {line.visits} 次。",
                error_messages={"max_length": "每人的本周工作不能超过 300 个字。"},
            )
            self.line_names.append((line.pk, name))
        remove = self.fields["remove_photos"]
        remove.choices = [  # type: ignore[attr-defined]
            (str(photo.pk), f"第 {n} 张") for n, photo in enumerate(photos, start=1)
        ]
        if not photos:
            del self.fields["remove_photos"]
        style_widgets(self)  # the line fields came after StyledForm styled the others

    def lines(self) -> dict[int, str]:
        return {pk: self.cleaned_data.get(name, "") for pk, name in self.line_names}

    def removed(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("remove_photos") or []]


class ReturnForm(StyledForm):
    reason = forms.CharField(
        label="退回原因",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "退回原因不能为空。",
            "max_length": "退回原因不能超过 300 个字。",
        },
    )
