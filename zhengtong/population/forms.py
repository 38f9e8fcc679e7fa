"""Forms of the population pages. They parse input; the rules live in the actions."""

from django import forms
from django.core.exceptions import ValidationError

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.scope import scope
from zhengtong.lib.forms import model_choice_field
from zhengtong.people.models import Household, HouseholdMember, Person

from .models import FloatingRecord
from .selectors import POPULATION_ROLES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, so templates render `{{ field }}` plainly."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the fields it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


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


class PersonFilterForm(BootstrapForm):
    q = forms.CharField(
        label="姓名",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "姓名", "aria-label": "姓名"}),
    )
    unit = UnitChoiceField(
        label="村", required=False, queryset=OrgUnit.objects.none(), empty_label="全部"
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = units_for(user)


class PersonForm(BootstrapForm):
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


class MergeForm(BootstrapForm):
    duplicate_id_number = forms.CharField(
        label="重复记录的公民身份号码",
        max_length=18,
        help_text="该记录的随访、流动、走访等数据将并入本记录,重复记录隐藏但保留备查。",
    )
    reason = forms.CharField(
        label="合并原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(BootstrapForm):
    to_unit = UnitChoiceField(
        label="转入单位",
        queryset=OrgUnit.objects.filter(
            kind__in=[OrgUnit.Kind.TOWN, OrgUnit.Kind.VILLAGE]
        ).order_by("path"),
    )
    reason = forms.CharField(label="转移原因", max_length=200)


class HouseholdForm(BootstrapForm):
    org_unit = UnitChoiceField(label="所属村", queryset=OrgUnit.objects.none())
    address = forms.CharField(label="住址", max_length=200)
    special_family = forms.ChoiceField(
        label="计生特殊家庭", choices=Household.SpecialFamily.choices, required=False
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "org_unit").queryset = units_for(user)


class MemberForm(BootstrapForm):
    id_number = forms.CharField(label="成员公民身份号码", max_length=18)
    relation = forms.ChoiceField(label="与户主关系", choices=HouseholdMember.Relation.choices)


class FloatingFilterForm(BootstrapForm):
    direction = forms.ChoiceField(
        label="流向", required=False, choices=[("", "全部"), *FloatingRecord.Direction.choices]
    )
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("open", "在外/在本地"), ("all", "全部(含已结束)")]
    )


class CertificateFieldsMixin(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, required=False)
    age = forms.IntegerField(label="年龄", required=False, min_value=0, max_value=150)
    cert_id_number = forms.CharField(label="公民身份号码", max_length=18, required=False)
    marital_status = forms.CharField(label="婚姻状况", max_length=20, required=False)
    spouse = forms.CharField(label="配偶信息", max_length=100, required=False)
    fertility = forms.CharField(label="生育状况", max_length=100, required=False)
    contraception = forms.CharField(label="避孕节育情况", max_length=100, required=False)
    issued_by = forms.CharField(label="出具机关", max_length=100, required=False)
    issued_on = forms.DateField(label="出具日期", required=False, widget=DATE)

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


class FloatingForm(CertificateFieldsMixin, BootstrapForm):
    direction = forms.ChoiceField(label="流向", choices=FloatingRecord.Direction.choices)
    place = forms.CharField(
        label="流入地/流出地", max_length=200, help_text="流出填去向(详细地址),流入填来源地。"
    )
    started_on = forms.DateField(label="流出/流入日期", widget=DATE)
    contact_phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    employer = forms.CharField(label="务工单位", max_length=100, required=False)


class CertificateForm(CertificateFieldsMixin, BootstrapForm):
    presented_on = forms.DateField(label="交验日期", widget=DATE)


class EndForm(BootstrapForm):
    ended_on = forms.DateField(label="返回/离开日期", widget=DATE)
