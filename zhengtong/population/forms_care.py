"""Forms of the care pages: check-up campaigns, home visits and referrals, 计生助福, 1+1 pairings.

Input forms are `StyledForm`s of the form door (`lib.forms`), rendered by `lib/_form.html`;
they parse input only, the rules live in actions/care.py. Filter forms are plain forms: the
page kit (`lib.listing`) styles them small for its filter bar and adds the search box `q`.
"""

from django import forms
from django.db.models import QuerySet

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import scope
from zhengtong.lib.encrypted import match
from zhengtong.lib.forms import DateInput, StyledForm, model_choice_field
from zhengtong.people.models import Person

from .models import Assistance, Campaign, Clinic, Pairing, Referral
from .selectors import POPULATION_ROLES, can_write_person, persons_visible_to


class CareForm(StyledForm):
    """An input form whose messages name the field, so a phone user sees which one to fix."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = f"{field.label}不能为空。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{field.label}不是有效的日期。"
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"{field.label}须为整数。"


class PersonForm(CareForm):
    """A form about one person: chosen by ID number, or fixed by `?person=` from their page."""

    id_number = forms.CharField(label="公民身份号码", max_length=18, required=False)

    def __init__(self, *args, user, person: Person | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = person
        if person is not None:
            del self.fields["id_number"]

    def clean(self):
        data = super().clean()
        if self.person is None:
            number = (data.get("id_number") or "").strip().upper()
            if not number:
                self.add_error("id_number", "公民身份号码不能为空。")
                return data
            # The same words whether the number is unknown or belongs to another village.
            person = match(persons_visible_to(self.user), "id_number", number).first()
            if person is None or not can_write_person(self.user, person):
                self.add_error("id_number", "公民身份号码:本辖区未登记该人员,请先登记人员信息。")
                return data
            self.person = person
        return data


def _with_all(choices) -> list[tuple[str, str]]:
    return [("", "全部"), *choices]


def _invalid_choice(form: forms.Form, *names: str) -> None:
    for name in names:
        field = form.fields[name]
        field.error_messages["invalid_choice"] = f"{field.label}不存在。"


# ---------------------------------------------------------------------------- campaigns


class CampaignForm(CareForm):
    org_unit = forms.ModelChoiceField(label="组织单位", queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label="类别", choices=Campaign.Kind.choices)
    name = forms.CharField(
        label="名称", max_length=100, required=False, help_text="不填则按单位、季度和类别生成。"
    )
    start_on = forms.DateField(label="开始日期", widget=DateInput)
    end_on = forms.DateField(label="结束日期", widget=DateInput)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = scope(OrgUnit.objects.all(), user, POPULATION_ROLES, via="").filter(
            kind__in=[OrgUnit.Kind.TOWN, OrgUnit.Kind.VILLAGE]
        )
        model_choice_field(self, "org_unit").queryset = units.order_by("path")


class AttendanceForm(CareForm):
    attended_on = forms.DateField(label="到检日期", widget=DateInput)
    result = forms.CharField(label="结果", max_length=200, required=False)


class CampaignFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=_with_all(Campaign.Kind.choices), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _invalid_choice(self, "kind")

    def filter(self, queryset: QuerySet) -> QuerySet:
        kind = self.cleaned_data.get("kind")
        return queryset.filter(kind=kind) if kind else queryset


class TargetFilterForm(forms.Form):
    STATUS_CHOICES = [("", "全部"), ("todo", "未检"), ("done", "已检")]
    village = forms.ModelChoiceField(
        label="村", queryset=OrgUnit.objects.none(), required=False, empty_label="全部"
    )
    status = forms.ChoiceField(label="到检", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, villages: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "village").queryset = villages
        self.fields["village"].error_messages["invalid_choice"] = "村:不在本次查体对象的范围内。"
        _invalid_choice(self, "status")

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("village"):
            queryset = queryset.filter(org_unit=data["village"])
        if data.get("status") == "todo":
            queryset = queryset.filter(attended_on__isnull=True)
        elif data.get("status") == "done":
            queryset = queryset.filter(attended_on__isnull=False)
        return queryset


# ---------------------------------------------------------------------------- home visits


class VisitForm(PersonForm):
    visited_on = forms.DateField(label="走访日期", widget=DateInput)
    place = forms.CharField(label="地点", max_length=200)
    outcome = forms.CharField(label="走访情况", widget=forms.Textarea(attrs={"rows": 4}))
    latitude = forms.CharField(label="纬度", required=False, max_length=20)
    longitude = forms.CharField(label="经度", required=False, max_length=20)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)


class VisitFilterForm(forms.Form):
    start = forms.DateField(label="走访日期起", required=False, widget=DateInput)
    end = forms.DateField(label="走访日期止", required=False, widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            field = self.fields[name]
            field.error_messages["invalid"] = "日期格式应为 YYYY-MM-DD。"

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "不能早于走访日期起。")
        return data

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("start"):
            queryset = queryset.filter(visited_on__gte=data["start"])
        if data.get("end"):
            queryset = queryset.filter(visited_on__lte=data["end"])
        return queryset


class ReferralForm(CareForm):
    kind = forms.ChoiceField(label="转介类别", choices=Referral.Kind.choices)
    note = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}))


class ReferralCloseForm(CareForm):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(label="办结日期", widget=DateInput)


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", choices=_with_all(Referral.Status.choices), required=False
    )
    kind = forms.ChoiceField(label="类别", choices=_with_all(Referral.Kind.choices), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _invalid_choice(self, "status", "kind")

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        return queryset


# ---------------------------------------------------------------------------- 计生助福


class AssistanceForm(PersonForm):
    category = forms.ChoiceField(label="类别", choices=Assistance.Category.choices)
    program = forms.CharField(label="项目", max_length=100)
    content = forms.CharField(label="内容", max_length=200)
    amount = forms.CharField(
        label="金额(元)", required=False, max_length=20, help_text="资金类必填,以元为单位。"
    )
    given_on = forms.DateField(label="发放日期", widget=DateInput)


class AssistanceFilterForm(forms.Form):
    category = forms.ChoiceField(
        label="类别", choices=_with_all(Assistance.Category.choices), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _invalid_choice(self, "category")

    def filter(self, queryset: QuerySet) -> QuerySet:
        category = self.cleaned_data.get("category")
        return queryset.filter(category=category) if category else queryset


# ---------------------------------------------------------------------------- 1+1 pairings


class PairingForm(PersonForm):
    volunteer_name = forms.CharField(label="志愿者", max_length=50)
    volunteer_phone = forms.CharField(label="志愿者电话", max_length=20)
    cadence_days = forms.IntegerField(label="走访周期(天)", initial=30)
    started_on = forms.DateField(label="结对日期", widget=DateInput)


class PairingVisitForm(CareForm):
    visited_on = forms.DateField(label="走访日期", widget=DateInput)
    note = forms.CharField(label="情况", widget=forms.Textarea(attrs={"rows": 3}))


class PairingEndForm(CareForm):
    reason = forms.CharField(label="结束原因", max_length=200)


class PairingFilterForm(forms.Form):
    """Active pairings by default; `overdue` narrows them to a missed visit, `ended` shows the
    ended ones instead."""

    STATUS_CHOICES = [("", "有效"), ("overdue", "走访已逾期"), ("ended", "已结束")]
    status = forms.ChoiceField(label="状态", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, today, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        _invalid_choice(self, "status")

    def filter(self, queryset: QuerySet[Pairing]) -> QuerySet[Pairing]:
        status = self.cleaned_data.get("status")
        if status == "ended":
            return queryset.filter(active=False)
        queryset = queryset.filter(active=True)
        if status == "overdue":
            queryset = queryset.filter(next_due_on__lt=self.today)
        return queryset


# ---------------------------------------------------------------------------- 健康义诊


class ClinicForm(CareForm):
    org_unit = forms.ModelChoiceField(label="组织镇(街道)", queryset=OrgUnit.objects.none())
    held_on = forms.DateField(label="义诊日期", widget=DateInput)
    villages: "forms.ModelMultipleChoiceField[OrgUnit]" = forms.ModelMultipleChoiceField(
        label="下村", queryset=OrgUnit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    place = forms.CharField(label="义诊地点", max_length=200, help_text="如:刘集村村委会卫生室。")
    organisers = forms.CharField(
        label="组织单位",
        max_length=200,
        required=False,
        help_text="不填则为“镇计生服务站、镇卫生院”。",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = scope(OrgUnit.objects.all(), user, POPULATION_ROLES, via="").order_by("path")
        model_choice_field(self, "org_unit").queryset = units.filter(kind=OrgUnit.Kind.TOWN)
        model_choice_field(self, "villages").queryset = units.filter(kind=OrgUnit.Kind.VILLAGE)
        self.fields["villages"].error_messages["required"] = "请至少选择一个下村的村。"
        _invalid_choice(self, "org_unit")
        self.fields["villages"].error_messages["invalid_choice"] = "所选的村不存在。"


class ClinicHeldForm(CareForm):
    held_on = forms.DateField(label="实际举办日期", widget=DateInput)


class ClinicAttendanceForm(CareForm):
    items = forms.CharField(
        label="检查项目", max_length=200, help_text="如:血压、血糖、妇科检查、乳腺检查。"
    )
    result = forms.CharField(
        label="结果", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    advice = forms.CharField(label="建议/转诊", max_length=200, required=False)
    women_check = forms.BooleanField(
        label="育龄妇女免费健康检查", required=False, help_text="15–49 周岁的流入育龄妇女。"
    )


class ClinicFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", choices=_with_all(Clinic.Status.choices), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _invalid_choice(self, "status")

    def filter(self, queryset: QuerySet) -> QuerySet:
        status = self.cleaned_data.get("status")
        return queryset.filter(status=status) if status else queryset
