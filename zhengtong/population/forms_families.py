"""Forms of the 文明家庭 pages. Input forms parse only; the rules live in actions/families.py."""

from django import forms
from django.db.models import QuerySet

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import scope
from zhengtong.lib.forms import choice_field, model_choice_field

from .forms_care import CareForm, _invalid_choice, _with_all
from .models import FamilyCampaign, FamilyNomination
from .selectors import POPULATION_ROLES

PASSED_CHOICES = [("yes", "通过"), ("no", "不通过")]
NAMED_CHOICES = [("yes", "评为文明家庭"), ("no", "未评上")]


class FamilyCampaignForm(CareForm):
    org_unit = forms.ModelChoiceField(label="镇(街道)", queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label="年度")
    name = forms.CharField(
        label="名称", max_length=100, required=False, help_text="不填则按镇(街道)和年度生成。"
    )
    criteria = forms.CharField(
        label="评选条件", widget=forms.Textarea(attrs={"rows": 6}), help_text="每行一条。"
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        towns = scope(OrgUnit.objects.all(), user, POPULATION_ROLES, via="").filter(
            kind=OrgUnit.Kind.TOWN
        )
        model_choice_field(self, "org_unit").queryset = towns.order_by("path")
        self.fields["org_unit"].error_messages["invalid_choice"] = "镇(街道):不在您的辖区内。"


class NominationForm(CareForm):
    campaign = forms.ModelChoiceField(label="创建活动", queryset=FamilyCampaign.objects.none())
    deeds = forms.CharField(
        label="事迹",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="推荐理由:家庭在移风易俗、婚育新风、孝老爱亲等方面的具体事迹。",
    )
    summary = forms.CharField(
        label="公示摘要",
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="评上后在网上公示,150 字以内;不要写身份证号、电话号码或家庭成员的姓名。",
    )

    def __init__(self, *args, campaigns: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "campaign").queryset = campaigns
        self.fields["campaign"].error_messages["invalid_choice"] = "创建活动:请选择本镇的活动。"


class EvaluateForm(CareForm):
    passed = forms.ChoiceField(label="评议结果", choices=PASSED_CHOICES, widget=forms.RadioSelect)
    opinion = forms.CharField(
        label="评议意见",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="对照评选条件逐条说明。",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _invalid_choice(self, "passed")

    def clean_passed(self) -> bool:
        return self.cleaned_data["passed"] == "yes"


class DecideForm(CareForm):
    named = forms.ChoiceField(label="决定", choices=NAMED_CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, correcting: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if correcting:
            self.fields["correction"] = forms.CharField(
                label="更正原因",
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": "更正原因不能为空。"},
            )
        _invalid_choice(self, "named")

    def clean_named(self) -> bool:
        return self.cleaned_data["named"] == "yes"


class NominationFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label="活动", queryset=FamilyCampaign.objects.none(), required=False, empty_label="全部"
    )
    status = forms.ChoiceField(
        label="状态", choices=_with_all(FamilyNomination.Status.choices), required=False
    )
    village = forms.ModelChoiceField(
        label="村", queryset=OrgUnit.objects.none(), required=False, empty_label="全部"
    )

    def __init__(self, *args, campaigns: QuerySet, villages: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "campaign").queryset = campaigns
        model_choice_field(self, "village").queryset = villages
        self.fields["campaign"].error_messages["invalid_choice"] = "活动不存在。"
        self.fields["village"].error_messages["invalid_choice"] = "村:不在您的辖区内。"
        _invalid_choice(self, "status")

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("campaign"):
            queryset = queryset.filter(campaign=data["campaign"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("village"):
            queryset = queryset.filter(org_unit=data["village"])
        return queryset


class PublicFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    town = forms.ChoiceField(label="镇(街道)", required=False)

    def __init__(self, *args, years, towns, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "year").choices = [("", "全部"), *((y, f"{y} 年") for y in years)]
        choice_field(self, "town").choices = [("", "全部"), *((t.code, t.name) for t in towns)]
        self.towns = {t.code: t for t in towns}
        _invalid_choice(self, "year", "town")

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("year"):
            queryset = queryset.filter(campaign__year=data["year"])
        if data.get("town"):
            queryset = queryset.filter(campaign__org_unit=self.towns[data["town"]])
        return queryset
