"""Forms of the population pages. They parse input; the rules live in the actions."""

from django import forms
from django.core.exceptions import ValidationError

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import scope
from zhengtong.lib.forms import DateInput, StyledForm, model_choice_field
from zhengtong.people.models import Household, HouseholdMember, Person

from .models import FloatingRecord
from .selectors import POPULATION_ROLES


def units_for(user):
    """The villages and townships where the user keeps the registry."""
    return scope(
        OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.VILLAGE, OrgUnit.Kind.TOWN]),
        user,
        POPULATION_ROLES,
        via="",
    ).order_by("path")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PersonFilterForm(forms.Form):  # a filter bar: styled by the page kit
    """The register's filters beside the kit's search box (name, or a full ID number)."""

    unit = UnitChoiceField(
        label="村", required=False, queryset=OrgUnit.objects.none(), empty_label="全部"
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units_for(user)

    def filter(self, persons):
        if unit := self.cleaned_data["unit"]:
            persons = persons.filter(org_unit__path__startswith=unit.path)
        return persons


class PersonForm(StyledForm):
    id_number = forms.CharField(
        label="公民身份号码",
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text="出生日期和性别由号码自动得出。",
    )
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    org_unit = UnitChoiceField(label="所属村/镇", queryset=OrgUnit.objects.none())
    hukou_type = forms.ChoiceField(label="户籍类别", choices=Person.HukouType.choices)
    hukou_address = forms.CharField(label="户籍地", max_length=200, required=False)
    current_address = forms.CharField(label="现居住地", max_length=200, required=False)
    marital_status = forms.ChoiceField(
        label="婚姻状况", choices=Person.MaritalStatus.choices, required=False
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "org_unit").queryset = units_for(user)
        if editing:
            del self.fields["id_number"]


class MergeForm(StyledForm):
    duplicate_id_number = forms.CharField(
        label="重复记录的公民身份号码",
        max_length=18,
        help_text="该记录的随访、流动、走访等数据将并入本记录,重复记录隐藏但保留备查。",
    )
    reason = forms.CharField(
        label="合并原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(StyledForm):
    to_unit = UnitChoiceField(
        label="转入单位",
        queryset=OrgUnit.objects.filter(
            kind__in=[OrgUnit.Kind.TOWN, OrgUnit.Kind.VILLAGE]
        ).order_by("path"),
    )
    reason = forms.CharField(label="转移原因", max_length=200)


class HouseholdForm(StyledForm):
    org_unit = UnitChoiceField(label="所属村", queryset=OrgUnit.objects.none())
    address = forms.CharField(label="住址", max_length=200)
    special_family = forms.ChoiceField(
        label="计生特殊家庭", choices=Household.SpecialFamily.choices, required=False
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "org_unit").queryset = units_for(user)


class HouseholdFilterForm(forms.Form):  # a filter bar: styled by the page kit
    unit = UnitChoiceField(
        label="村", required=False, queryset=OrgUnit.objects.none(), empty_label="全部"
    )
    special_family = forms.ChoiceField(
        label="计生特殊家庭",
        required=False,
        choices=[("", "全部"), ("any", "仅计生特殊家庭"), *Household.SpecialFamily.choices[1:]],
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units_for(user)

    def filter(self, households):
        data = self.cleaned_data
        if data["unit"]:
            households = households.filter(org_unit__path__startswith=data["unit"].path)
        if data["special_family"] == "any":
            households = households.exclude(special_family="")
        elif data["special_family"]:
            households = households.filter(special_family=data["special_family"])
        return households


class MemberForm(StyledForm):
    id_number = forms.CharField(label="成员公民身份号码", max_length=18)
    relation = forms.ChoiceField(label="与户主关系", choices=HouseholdMember.Relation.choices)


class FloatingFilterForm(forms.Form):  # a filter bar: styled by the page kit
    direction = forms.ChoiceField(
        label="流向", required=False, choices=[("", "全部"), *FloatingRecord.Direction.choices]
    )
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("open", "在外/在本地"), ("all", "全部(含已结束)")]
    )

    def filter(self, records):
        """Open records unless 全部 is chosen."""
        if direction := self.cleaned_data["direction"]:
            records = records.filter(direction=direction)
        if (self.cleaned_data["state"] or "open") == "open":
            records = records.filter(ended_on__isnull=True)
        return records


class CertificateFieldsMixin(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, required=False)
    age = forms.IntegerField(label="年龄", required=False, min_value=0, max_value=150)
    cert_id_number = forms.CharField(label="公民身份号码", max_length=18, required=False)
    marital_status = forms.CharField(label="婚姻状况", max_length=20, required=False)
    spouse = forms.CharField(label="配偶信息", max_length=100, required=False)
    fertility = forms.CharField(label="生育状况", max_length=100, required=False)
    contraception = forms.CharField(label="避孕节育情况", max_length=100, required=False)
    issued_by = forms.CharField(label="出具机关", max_length=100, required=False)
    issued_on = forms.DateField(label="出具日期", required=False, widget=DateInput())

    CERT_FIELDS = [
        "name",
        "age",
        "cert_id_number",
        "marital_status",
        "spouse",
        "fertility",
        "contraception",
        "issued_by",
        "issued_on",
    ]

    def certificate(self) -> dict:
        data = {k: self.cleaned_data.get(k) for k in self.CERT_FIELDS}
        data["id_number"] = data.pop("cert_id_number")
        return data


def certificate_errors(form: forms.Form, exc: ValidationError) -> None:
    """The certificate's `id_number` is the form's `cert_id_number`."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            name = "cert_id_number" if field == "id_number" else field
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class FloatingForm(CertificateFieldsMixin, StyledForm):
    direction = forms.ChoiceField(label="流向", choices=FloatingRecord.Direction.choices)
    place = forms.CharField(
        label="流入地/流出地", max_length=200, help_text="流出填去向(详细地址),流入填来源地。"
    )
    started_on = forms.DateField(label="流出/流入日期", widget=DateInput())
    contact_phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    employer = forms.CharField(label="务工单位", max_length=100, required=False)


class CertificateForm(CertificateFieldsMixin, StyledForm):
    presented_on = forms.DateField(label="交验日期", widget=DateInput())


class EndForm(StyledForm):
    ended_on = forms.DateField(label="返回/离开日期", widget=DateInput())
