"""Forms parse input only; the rules live in actions.py and scales.py."""

from django import forms

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.lib.forms import (
    DateInput,
    MonthInput,
    StyledForm,
    model_choice_field,
    style_widgets,
)

from . import scales
from .models import PaymentCycle, ReliefBatch, ReliefGrant, WelfareStatus
from .selectors import SUBSIDY_LEVELS


class AssessorField(forms.ModelChoiceField):
    """An assessor, shown by full name (the username when none is set)."""

    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.username


class PersonFields(StyledForm):
    id_number = forms.CharField(label="公民身份号码", max_length=18, min_length=15)
    name = forms.CharField(label="姓名", max_length=50)


class AssessmentForm(PersonFields):
    """Person, date, two assessors, and one select per item of the scale's definition."""

    assessed_on = forms.DateField(label="评估日期", widget=DateInput())
    assessor_1 = AssessorField(label="评估员一", queryset=User.objects.none())
    assessor_2 = AssessorField(label="评估员二", queryset=User.objects.none())
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    coma = forms.BooleanField(
        label="处于昏迷状态",
        required=False,
        help_text="昏迷者直接评定为完全失能(GB/T 42195-2022 能力等级变更依据)。",
    )
    dementia = forms.BooleanField(label="确诊为认知障碍/痴呆", required=False)
    psychiatric = forms.BooleanField(label="确诊为精神疾病", required=False)
    incidents_30d = forms.IntegerField(
        label="近30天内跌倒、噎食、自杀、走失次数",
        min_value=0,
        max_value=99,
        initial=0,
        required=False,
        help_text="2 次及以上时能力等级提高一级(MZ/T 039-2013 等级变更)。",
    )

    def __init__(self, *args, definition: dict, assessors, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "assessor_1").queryset = assessors
        model_choice_field(self, "assessor_2").queryset = assessors
        self.condition_names = scales.condition_codes(definition)
        if "coma" not in self.condition_names:
            del self.fields["coma"]  # MZ/T 039 reads 昏迷 from its 意识水平 item
        if definition.get("level_changes") == "gb42195":
            self.fields["dementia"].label = "确诊为痴呆(F00~F03)"
            self.fields["psychiatric"].label = "确诊为其他精神和行为障碍(F04~F99)"
            self.fields["incidents_30d"].label = "近30天内照护风险事件次数"
            self.fields["incidents_30d"].help_text = (
                "跌倒、噎食、自杀、自伤、走失等;2 次及以上时能力等级提高一级"
                "(GB/T 42195-2022 等级变更)。"
            )
        self.dimensions = []
        for dim in definition["dimensions"]:
            names = []
            for item in dim["items"]:
                name = f"item_{item['code']}"
                choices = [(s, scales.score_label(definition, item, s)) for s in item["scores"]]
                self.fields[name] = forms.TypedChoiceField(
                    label=item["name"], choices=[("", "—"), *choices], coerce=int
                )
                names.append(name)
            self.dimensions.append(
                {"name": dim["name"], "verified": dim.get("verified", True), "fields": names}
            )
        style_widgets(self)  # the item selects are added after StyledForm styled the rest

    def scores(self) -> dict:
        return {
            name.removeprefix("item_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item_")
        }

    def conditions(self) -> dict:
        data = self.cleaned_data
        return {
            "coma": bool(data.get("coma")),
            "dementia": data["dementia"],
            "psychiatric": data["psychiatric"],
            "incidents_30d": data["incidents_30d"] or 0,
        }

    def dimension_fields(self):
        for dim in self.dimensions:
            yield dim, [self[name] for name in dim["fields"]]


class WelfareStatusForm(PersonFields):
    category = forms.ChoiceField(
        label="救助类别", choices=WelfareStatus.Category.choices, required=False
    )
    long_term_dependent = forms.BooleanField(label="生活长期不能自理", required=False)
    in_institution = forms.BooleanField(
        label="入住养老机构(非散居)", required=False, help_text="护理补贴仅发给散居老人。"
    )
    verified_on = forms.DateField(label="核实日期", widget=DateInput())


class EligibilityForm(StyledForm):
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    on = forms.DateField(label="核定日期", widget=DateInput(), required=False)


class CycleForm(StyledForm):
    month = forms.DateField(
        label="发放月份", widget=MonthInput(), input_formats=["%Y-%m", "%Y-%m-%d"]
    )


class CensusForm(StyledForm):
    name = forms.CharField(label="普查名称", max_length=100)
    area = forms.ModelChoiceField(label="普查范围", queryset=OrgUnit.objects.none())
    started_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="截止日期", widget=DateInput())

    def __init__(self, *args, areas=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if areas is not None:
            model_choice_field(self, "area").queryset = areas


class CensusFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="评估情况",
        required=False,
        choices=[("", "全部候选人"), ("pending", "未评估"), ("done", "已评估")],
    )
    village = forms.ModelChoiceField(
        label="村(居)", required=False, queryset=OrgUnit.objects.none(), empty_label="全部村(居)"
    )

    def __init__(self, *args, villages=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if villages is not None:
            model_choice_field(self, "village").queryset = villages


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


# ---- filters of the lists (styled small by the page kit; the kit adds the 姓名 search box)


class AssessmentFilterForm(forms.Form):
    level = forms.TypedChoiceField(
        label="能力等级",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全部"), *((k, f"{k} 级 {v}") for k, v in scales.LEVEL_LABELS.items())],
    )
    due = forms.ChoiceField(
        label="复评期限",
        required=False,
        choices=[("", "全部"), ("overdue", "已逾期"), ("pending", "未到期")],
    )
    recomputed = forms.BooleanField(label="仅看重算后等级有变化的", required=False)


class StatusFilterForm(forms.Form):
    category = forms.ChoiceField(
        label="救助类别",
        required=False,
        choices=[("", "全部"), *((v or "none", lbl) for v, lbl in WelfareStatus.Category.choices)],
    )
    dependent = forms.ChoiceField(
        label="生活长期不能自理", required=False, choices=[("", "全部"), ("1", "是"), ("0", "否")]
    )


class CycleFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *PaymentCycle.Status.choices]
    )


class PaymentFilterForm(forms.Form):
    level = forms.TypedChoiceField(
        label="能力等级",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全部"), *((k, f"{k} 级 {scales.LEVEL_LABELS[k]}") for k in SUBSIDY_LEVELS)],
    )


class BatchFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *ReliefBatch.Status.choices]
    )


class GrantFilterForm(forms.Form):
    recipient_kind = forms.ChoiceField(
        label="救助对象", required=False, choices=[("", "全部"), *ReliefGrant.RecipientKind.choices]
    )
    reason = forms.ChoiceField(
        label="救助原因", required=False, choices=[("", "全部"), *ReliefGrant.Reason.choices]
    )
