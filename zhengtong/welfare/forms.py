"""Forms parse input only; the rules live in actions.py and scales.py."""

from django import forms

from zhengtong.accounts.models import User
from zhengtong.lib.forms import model_choice_field

from .models import ReliefGrant, WelfareStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class AssessorField(forms.ModelChoiceField):
    """An assessor, shown by full name (the username when none is set)."""

    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.username


class PersonFields(StyledForm):
    id_number = forms.CharField(label="公民身份号码", max_length=18, min_length=15)
    name = forms.CharField(label="姓名", max_length=50)


class AssessmentForm(PersonFields):
    """Person, date, two assessors, and one select per item of the scale's definition."""

    assessed_on = forms.DateField(label="评估日期", widget=DATE)
    assessor_1 = AssessorField(label="评估员一", queryset=User.objects.none())
    assessor_2 = AssessorField(label="评估员二", queryset=User.objects.none())
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, definition: dict, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "assessor_1").queryset = assessors
        model_choice_field(self, "assessor_2").queryset = assessors
        self.dimensions = []
        for dim in definition["dimensions"]:
            names = []
            for item in dim["items"]:
                name = f"item_{item['code']}"
                self.fields[name] = forms.TypedChoiceField(
                    label=item["name"],
                    choices=[("", "—")] + [(s, f"{s} 分") for s in item["scores"]],
                    coerce=int,
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
                names.append(name)
            self.dimensions.append(
                {"name": dim["name"], "verified": dim.get("verified", True), "fields": names}
            )

    def scores(self) -> dict:
        return {
            name.removeprefix("item_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item_")
        }

    def dimension_fields(self):
        for dim in self.dimensions:
            yield dim, [self[name] for name in dim["fields"]]


class WelfareStatusForm(PersonFields):
    category = forms.ChoiceField(
        label="救助类别", choices=WelfareStatus.Category.choices, required=False
    )
    long_term_dependent = forms.BooleanField(label="生活长期不能自理", required=False)
    verified_on = forms.DateField(label="核实日期", widget=DATE)


class EligibilityForm(StyledForm):
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    on = forms.DateField(label="核定日期", widget=DATE, required=False)


class CycleForm(StyledForm):
    month = forms.DateField(label="发放月份", widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d"])


class PaymentAddForm(StyledForm):
    id_number = forms.CharField(label="公民身份号码", max_length=18)


class ReasonForm(StyledForm):
    reason = forms.CharField(label="原因", max_length=200)


class BatchForm(StyledForm):
    name = forms.CharField(label="批次名称", max_length=100)


class GrantForm(PersonFields):
    recipient_kind = forms.ChoiceField(label="救助对象", choices=ReliefGrant.RecipientKind.choices)
    reason = forms.ChoiceField(label="救助原因", choices=ReliefGrant.Reason.choices)
    amount = forms.DecimalField(label="金额(元)", max_digits=10, decimal_places=2)
    note = forms.CharField(label="说明", max_length=200, required=False)


class SearchForm(StyledForm):
    q = forms.CharField(label="姓名", required=False, max_length=50)
