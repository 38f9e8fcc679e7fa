"""Forms of the hall's staff pages, on the one form door (`lib.forms.StyledForm`). They parse
input; the rules live in the actions package. The filter forms of the kit lists carry small
widgets."""

from django import forms

from zhengtong.accounts.models import Role, User
from zhengtong.accounts.scope import scope
from zhengtong.lib.forms import StyledForm, choice_field, model_choice_field
from zhengtong.people.models import Person

from .models import Application, Material, Post, ServiceItem
from .selectors import applications_overdue, hall_clerks

HUKOU_CHOICES = [("local", "本地户籍"), ("floating", "流动人口(外地户籍)")]
CHILD_ORDER_CHOICES = [("", "不适用")] + [
    (str(n), f"第{'一二三四五'[n - 1]}孩") for n in range(1, 6)
]


class ClerkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def situation_of(data) -> dict:
    """The applicant's situation from intake input (raw or cleaned): hukou, marital status and
    child order, leaving out what was not given."""
    situation = {"hukou": data.get("hukou") or "local"}
    if data.get("marital_status"):
        situation["marital_status"] = data.get("marital_status")
    try:
        if data.get("child_order"):
            situation["child_order"] = int(data.get("child_order"))
    except (TypeError, ValueError):
        pass
    return situation


class CodeListField(forms.MultipleChoiceField):
    """Material codes; whether they belong to the item is the action's question, so its
    Chinese message names the wrong material instead of a generic "invalid choice"."""

    def valid_value(self, value) -> bool:
        return True


class ApplicationFilterForm(StyledForm):
    """The case list's filters; `q` is the one search box (receipt number, applicant name, phone
    or full ID number; see ApplicationList.search)."""

    small_widgets = True
    SCOPE_CHOICES = [("mine", "我的办件"), ("all", "本大厅全部")]

    q = forms.CharField(label="查找办件", max_length=100, required=False)
    scope = forms.ChoiceField(label="范围", required=False, choices=SCOPE_CHOICES)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), ("open", "办理中"), *Application.Status.choices],
    )
    item = forms.ModelChoiceField(
        label="事项",
        required=False,
        queryset=ServiceItem.objects.all(),
        to_field_name="code",
        empty_label="全部",
    )
    window = forms.CharField(label="窗口", required=False, max_length=50)
    clerk = ClerkChoiceField(
        label="承办人", required=False, queryset=User.objects.none(), empty_label="全部"
    )
    channel = forms.ChoiceField(
        label="来源渠道", required=False, choices=[("", "全部"), *Application.Channel.choices]
    )
    overdue = forms.BooleanField(label="只看超期", required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "clerk").queryset = hall_clerks(user)

    def filter(self, qs, *, today):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("status") == "open":
            qs = qs.filter(status__in=Application.OPEN_STATUSES)
        elif data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("item"):
            qs = qs.filter(item=data["item"])
        if data.get("window"):
            qs = qs.filter(item__window=data["window"])
        if data.get("clerk"):
            qs = qs.filter(handler=data["clerk"])
        if data.get("channel"):
            qs = qs.filter(channel=data["channel"])
        if data.get("overdue"):
            qs = applications_overdue(qs, today)
        return qs


class LeaveFilterForm(StyledForm):
    """The leave list's filter: current, coming or past leave."""

    small_widgets = True
    WHEN_CHOICES = [("", "全部"), ("current", "请假中"), ("future", "未开始"), ("past", "已结束")]

    when = forms.ChoiceField(label="状态", required=False, choices=WHEN_CHOICES)

    def filter(self, qs, *, today):
        when = self.cleaned_data.get("when")
        if when == "current":
            return qs.filter(start_on__lte=today, end_on__gte=today)
        if when == "future":
            return qs.filter(start_on__gt=today)
        if when == "past":
            return qs.filter(end_on__lt=today)
        return qs


class DutyDayForm(StyledForm):
    """The day of the roster (today when not given)."""

    small_widgets = True

    day = forms.DateField(
        label="日期", required=False, error_messages={"invalid": "日期格式应为 2026-11-16。"}
    )


class RectificationFilterForm(StyledForm):
    """差评整改: open ones (the default), done ones, or all."""

    small_widgets = True
    DONE_CHOICES = [("", "待回访"), ("1", "已完成"), ("all", "全部")]

    done = forms.ChoiceField(label="状态", required=False, choices=DONE_CHOICES)

    def filter(self, qs):
        done = self.cleaned_data.get("done")
        if done == "all":
            return qs
        return qs.filter(done_at__isnull=done != "1")


def coordinate_field(label: str) -> forms.CharField:
    """A latitude or longitude as typed or filled by the phone's location; the action checks it."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class IntakeForm(StyledForm):
    """收件登记: item, applicant, situation and the materials presented."""

    item = forms.CharField(label="办理事项", widget=forms.Select())
    channel = forms.ChoiceField(
        label="来源渠道",
        choices=[
            (Application.Channel.WINDOW, "窗口"),
            (Application.Channel.HOME_VISIT, "上门服务"),
        ],
        initial=Application.Channel.WINDOW,
    )
    name = forms.CharField(label="申请人姓名", max_length=50)
    id_number = forms.CharField(
        label="公民身份号码", max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    hukou = forms.ChoiceField(label="户籍", choices=HUKOU_CHOICES, initial="local")
    # No default: an unanswered 婚姻状况 must not silently drop 结婚证 from the notice.
    marital_status = forms.ChoiceField(
        label="婚姻状况",
        required=False,
        choices=[("", "请选择")] + [c for c in Person.MaritalStatus.choices if c[0]],
    )
    child_order = forms.ChoiceField(label="申请孩次", required=False, choices=CHILD_ORDER_CHOICES)
    materials = CodeListField(label="已收材料", required=False, widget=forms.CheckboxSelectMultiple)
    # 上门服务 only: the home's position, photos taken there, and the visit the case came from.
    latitude = coordinate_field("纬度")
    longitude = coordinate_field("经度")
    visit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    visit_photos = forms.TypedMultipleChoiceField(
        label="走访照片", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, items, materials=(), visit_photos=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.choices = [("", "请选择事项")] + [
            (item.code, f"{item.name}({item.promised_workdays} 个工作日)") for item in items
        ]
        choice_field(self, "materials").choices = [(m.code, m.name) for m in materials]
        choice_field(self, "visit_photos").choices = [
            (photo.pk, f"走访照片 {n}") for n, photo in enumerate(visit_photos, 1)
        ]

    def applicant(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "id_number": data["id_number"], "phone": data["phone"]}


class NoticeDeliveryForm(StyledForm):
    """上门告知: when, by whom and where the 《办证服务告知书》 was handed over, with the
    applicant's signature (a PNG drawn on the page) or a photo."""

    delivered_on = forms.DateField(
        label="告知日期",
        error_messages={"invalid": "日期格式应为 2026-11-16。", "required": "请填写告知日期。"},
    )
    delivered_by = ClerkChoiceField(
        label="告知人",
        queryset=User.objects.none(),
        error_messages={
            "required": "请选择告知人。",
            "invalid_choice": "告知人须是本服务大厅的窗口工作人员。",
        },
    )
    place = forms.CharField(
        label="告知地点", max_length=200, error_messages={"required": "请填写告知地点。"}
    )
    latitude = coordinate_field("纬度")
    longitude = coordinate_field("经度")
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    photo = forms.FileField(
        label="现场照片(JPEG、PNG 或 WebP)",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "delivered_by").queryset = hall_clerks(user)


class MaterialsForm(StyledForm):
    """补正 (supplement) or 补正告知 (request correction): materials chosen from the item."""

    materials = CodeListField(label="材料", widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, materials: list[Material], with_note: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "materials").choices = [(m.code, m.name) for m in materials]
        if not with_note:
            del self.fields["note"]


class HandoverForm(StyledForm):
    to_user = ClerkChoiceField(label="移交给", queryset=User.objects.none())
    reason = forms.CharField(label="移交原因", max_length=200)

    def __init__(self, *args, user, application: Application, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "to_user").queryset = hall_clerks(user).exclude(
            pk=application.handler_id
        )


class ApproveForm(StyledForm):
    note = forms.CharField(
        label="办理意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(StyledForm):
    """Refuse or withdraw: a reason is required."""

    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class LeaveForm(StyledForm):
    user = ClerkChoiceField(label="请假人", queryset=User.objects.none())
    start_on = forms.DateField(label="开始日期")
    end_on = forms.DateField(label="结束日期")
    reason = forms.CharField(label="事由", max_length=100)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "user").queryset = hall_clerks(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_on"), data.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", "结束日期不能早于开始日期。")
        return data


class DutyForm(StyledForm):
    """挂牌上岗: put a clerk on duty at a post on a day.

    The lists offer the user's own hall only; any existing post or user is accepted here, so
    the action answers a post or clerk of another hall (403, or its Chinese message) instead
    of a generic "invalid choice".
    """

    day = forms.DateField(label="日期")
    post = forms.ModelChoiceField(label="岗位", queryset=Post.objects.all())
    user = ClerkChoiceField(label="工作人员", queryset=User.objects.all())

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        posts = scope(Post.objects.all(), user, [Role.WINDOW_CLERK]).order_by("window", "name")
        model_choice_field(self, "post").queryset = Post.objects.select_related("org_unit")
        self.fields["post"].widget.choices = [("", "请选择岗位")] + [
            (post.pk, f"{post.window} {post.name}") for post in posts
        ]
        self.fields["user"].widget.choices = [("", "请选择工作人员")] + [
            (clerk.pk, clerk.display_name) for clerk in hall_clerks(user)
        ]


class RectificationCloseForm(StyledForm):
    callback_note = forms.CharField(
        label="回访记录", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    result = forms.CharField(
        label="整改情况", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
