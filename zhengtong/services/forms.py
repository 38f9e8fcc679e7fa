"""Forms of the hall's staff pages. They parse input; the rules live in actions.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from zhengtong.accounts.models import Role, User
from zhengtong.accounts.scope import scope, scope_q
from zhengtong.lib.forms import choice_field, model_choice_field
from zhengtong.people.models import Person

from .models import Application, Material, Post, ServiceItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HUKOU_CHOICES = [("local", "本地户籍"), ("floating", "流动人口(外地户籍)")]
CHILD_ORDER_CHOICES = [("", "不适用")] + [
    (str(n), f"第{'一二三四五'[n - 1]}孩") for n in range(1, 6)
]


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the fields it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            # "applicant.id_number" and "id_number" both land on the id_number field.
            name = field.rsplit(".", 1)[-1]
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def hall_clerks(user) -> QuerySet[User]:
    """Window clerks of the halls where `user` is a window clerk."""
    q = scope_q(user, [Role.WINDOW_CLERK], via="memberships__org_unit")
    return (
        User.objects.filter(q, memberships__role=Role.WINDOW_CLERK, is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


class ClerkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render `{{ field }}` plainly."""

    fields: dict[str, forms.Field]  # the form's, which the mixin comes before

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue  # rendered option by option by services/_fields.html
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


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


class ApplicationFilterForm(BootstrapMixin, forms.Form):
    SCOPE_CHOICES = [("mine", "我的办件"), ("all", "本大厅全部")]

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
    window = forms.CharField(label="窗口", required=False)
    clerk = ClerkChoiceField(
        label="承办人", required=False, queryset=User.objects.none(), empty_label="全部"
    )
    overdue = forms.BooleanField(label="只看超期", required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "clerk").queryset = hall_clerks(user)
        self._style()

    def filter(self, qs, *, today):
        from .selectors import applications_overdue

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
        if data.get("overdue"):
            qs = applications_overdue(qs, today)
        return qs


class IntakeForm(BootstrapMixin, forms.Form):
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

    def __init__(self, *args, items, materials=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.choices = [("", "请选择事项")] + [
            (item.code, f"{item.name}({item.promised_workdays} 个工作日)") for item in items
        ]
        choice_field(self, "materials").choices = [(m.code, m.name) for m in materials]
        self._style()

    def applicant(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "id_number": data["id_number"], "phone": data["phone"]}


class MaterialsForm(BootstrapMixin, forms.Form):
    """补正 (supplement) or 补正告知 (request correction): materials chosen from the item."""

    materials = CodeListField(label="材料", widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, materials: list[Material], with_note: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "materials").choices = [(m.code, m.name) for m in materials]
        if not with_note:
            del self.fields["note"]
        self._style()


class HandoverForm(BootstrapMixin, forms.Form):
    to_user = ClerkChoiceField(label="移交给", queryset=User.objects.none())
    reason = forms.CharField(label="移交原因", max_length=200)

    def __init__(self, *args, user, application: Application, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "to_user").queryset = hall_clerks(user).exclude(
            pk=application.handler_id
        )
        self._style()


class ApproveForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label="办理意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ReasonForm(BootstrapMixin, forms.Form):
    """Refuse or withdraw: a reason is required."""

    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class LeaveForm(BootstrapMixin, forms.Form):
    user = ClerkChoiceField(label="请假人", queryset=User.objects.none())
    start_on = forms.DateField(label="开始日期", widget=DATE)
    end_on = forms.DateField(label="结束日期", widget=DATE)
    reason = forms.CharField(label="事由", max_length=100)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "user").queryset = hall_clerks(user)
        self._style()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_on"), data.get("end_on")
        if start and end and end < start:
            self.add_error("end_on", "结束日期不能早于开始日期。")
        return data


class DutyForm(BootstrapMixin, forms.Form):
    """挂牌上岗: put a clerk on duty at a post on a day.

    The lists offer the user's own hall only; any existing post or user is accepted here, so
    the action answers a post or clerk of another hall (403, or its Chinese message) instead
    of a generic "invalid choice".
    """

    day = forms.DateField(label="日期", widget=DATE)
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
        self._style()


class RectificationCloseForm(BootstrapMixin, forms.Form):
    callback_note = forms.CharField(
        label="回访记录", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    result = forms.CharField(
        label="整改情况", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style()
