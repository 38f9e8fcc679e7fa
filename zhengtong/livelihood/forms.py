"""Input forms of the livelihood ledgers and of school safety: they parse; the actions decide
what is allowed. Every form is a `lib.forms.StyledForm` (the one date widget, Bootstrap classes,
`is-invalid` on a field with an error) and renders through `lib/_form.html`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.accounts.models import User
from zhengtong.lib.forms import StyledForm, style_widgets

from . import checklist
from .actions.schools import MAX_DEADLINE_WORKDAYS
from .models import (
    EmploymentRecord,
    Inspection,
    InsuranceDrive,
    School,
    TrainingClass,
    UnlicensedKindergarten,
    recording_room_target,
)

MONEY_ATTRS = {"inputmode": "decimal", "step": "0.01"}


class LedgerForm(StyledForm):
    """A StyledForm whose refusals name the field: "类型不能为空。", not "这个字段是必填项。"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        name_errors(self)


def name_errors(form: forms.BaseForm) -> None:
    """Messages that name their field, on every field of `form` (added ones too)."""
    for field in form.fields.values():
        label = field.label
        field.error_messages["required"] = f"{label}不能为空。"
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = f"{label}不是有效的日期。"
        elif isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = f"{label}须为整数。"
            field.error_messages["min_value"] = f"{label}不能小于 %(limit_value)s。"
            field.error_messages["max_value"] = f"{label}不能大于 %(limit_value)s。"
        elif isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = f"请选择有效的{label}。"


class PersonFields(LedgerForm):
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class EmploymentForm(PersonFields):
    kind = forms.ChoiceField(label=_("类别"), choices=EmploymentRecord.Kind.choices)
    employed_on = forms.DateField(label=_("就业日期"))
    employer = forms.CharField(label=_("就业单位/转移去向"), max_length=200)


class UnemploymentForm(LedgerForm):
    period = forms.DateField(label=_("统计期(该月任一日)"))
    registered_unemployed = forms.IntegerField(label=_("城镇登记失业人数"), min_value=0)
    labour_force = forms.IntegerField(label=_("城镇从业及登记失业人数"), min_value=1)


class InsuranceDriveForm(LedgerForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    insurance = forms.ChoiceField(label=_("险种"), choices=InsuranceDrive.Insurance.choices)
    enrol_target = forms.IntegerField(label=_("扩面目标(人)"), min_value=1)
    enrolled = forms.IntegerField(label=_("新增参保(人)"), min_value=0)
    collect_target = forms.DecimalField(
        label=_("征缴目标(元)"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    collected = forms.DecimalField(
        label=_("已征缴(元)"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    as_of = forms.DateField(label=_("截至日期"), help_text=_("同一年度同一险种再次填写即为更正。"))


class LoanForm(PersonFields):
    business = forms.CharField(label=_("创业项目"), max_length=200)
    amount_requested = forms.DecimalField(
        label=_("申请金额(元)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    guarantor = forms.CharField(label=_("担保机构/担保人"), max_length=100)
    bank = forms.CharField(label=_("贷款银行"), max_length=100, required=False)
    term_months = forms.IntegerField(label=_("期限(月)"), initial=24)
    submitted_on = forms.DateField(label=_("申请日期"))


class LoanApproveForm(LedgerForm):
    amount_approved = forms.DecimalField(
        label=_("核准金额(元)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    approved_on = forms.DateField(label=_("审批日期"))


class LoanRejectForm(LedgerForm):
    reason = forms.CharField(label=_("不予批准的理由"), max_length=300)


class LoanDisburseForm(LedgerForm):
    amount = forms.DecimalField(
        label=_("放款金额(元)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    paid_on = forms.DateField(label=_("放款日期"))


class LoanRepayForm(LedgerForm):
    repaid_on = forms.DateField(label=_("还清日期"))


class InternshipBaseForm(LedgerForm):
    name = forms.CharField(label=_("基地名称"), max_length=100)
    employer = forms.CharField(label=_("依托单位"), max_length=100)
    level = forms.CharField(label=_("级别"), max_length=10, initial="市级")
    positions = forms.IntegerField(label=_("见习岗位数"), initial=0)
    applied_on = forms.DateField(label=_("申报日期"))


class InternshipDecideForm(LedgerForm):
    approved = forms.TypedChoiceField(
        label=_("认定结果"),
        choices=[("1", _("认定")), ("0", _("不予认定"))],
        coerce=lambda v: v == "1",
    )
    decided_on = forms.DateField(label=_("认定日期"))
    reason = forms.CharField(label=_("未认定理由"), max_length=300, required=False)


class TrainingClassForm(LedgerForm):
    name = forms.CharField(label=_("班次名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=TrainingClass.Kind.choices)
    start_on = forms.DateField(label=_("开班日期"))
    end_on = forms.DateField(label=_("结业日期"))
    sessions = forms.IntegerField(label=_("课时(次)"))


class TraineeForm(PersonFields):
    pass


class TraineeUpdateForm(LedgerForm):
    attended_sessions = forms.IntegerField(label=_("出勤次数"))
    completed = forms.BooleanField(label=_("结业"), required=False)


class StatusFilterForm(forms.Form):
    """The status (or kind) filter of a kit ledger list; search and year come from the kit."""

    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, choices=(), label=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        field.choices = [("", _("全部"))] + list(choices)
        if label:
            field.label = label
        field.error_messages["invalid_choice"] = _("%(label)s不存在。") % {"label": field.label}


# ---- School safety ---------------------------------------------------------------------------


class SchoolForm(LedgerForm):
    name = forms.CharField(label=_("学校名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=School.Kind.choices)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    principal = forms.CharField(label=_("负责人"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        help_text=_("手机号或带区号的固定电话;隐患通知书以短信发到手机号。"),
    )
    contact_user = forms.CharField(
        label=_("学校工作人员账号"),
        max_length=150,
        required=False,
        help_text=_("选填,填写登录名;隐患通知书同时以站内消息发给该账号。"),
    )
    is_central = forms.BooleanField(
        label=_("中心小学"),
        required=False,
        help_text=_("镇(街道)中心小学;初中和中心小学是录播室全覆盖的目标学校。"),
    )
    recording_room_on = forms.DateField(
        label=_("录播室配备日期"),
        required=False,
        help_text=_("高标准录播室建成投用的日期;尚未配备的留空。"),
    )

    def clean_contact_user(self):
        username = self.cleaned_data.get("contact_user", "").strip()
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("没有登录名为“%(name)s”的在用账号。") % {"name": username}
            )
        return user


class KindFilterForm(forms.Form):
    """The type filter of the school register; search and year come from the kit."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[("", _("全部类型")), *School.Kind.choices],
        required=False,
        error_messages={"invalid_choice": _("类型不存在。")},
    )

    room = forms.ChoiceField(
        label=_("录播室"),
        choices=[
            ("", _("不限")),
            ("target", _("应配备(初中及中心小学)")),
            ("missing", _("应配备而未配备")),
        ],
        required=False,
        error_messages={"invalid_choice": _("录播室筛选条件不存在。")},
    )

    def filter(self, queryset):
        kind = self.cleaned_data.get("kind")
        if kind:
            queryset = queryset.filter(kind=kind)
        room = self.cleaned_data.get("room")
        if room:
            queryset = queryset.filter(recording_room_target())
        if room == "missing":
            queryset = queryset.filter(recording_room_on__isnull=True)
        return queryset


class InspectionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部状态")), *Inspection.Status.choices],
        required=False,
        error_messages={"invalid_choice": _("状态不存在。")},
    )

    def filter(self, queryset):
        status = self.cleaned_data.get("status")
        return queryset.filter(status=status) if status else queryset


class InspectionForm(LedgerForm):
    """The checklist: each item ok or hazard; a hazard needs its description and requirement."""

    inspected_on = forms.DateField(label=_("检查日期"))
    inspectors = forms.CharField(label=_("检查人员"), max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = []
        for item in checklist.ITEMS:
            result = forms.ChoiceField(
                label=item.name,
                choices=list(checklist.RESULTS.items()),
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                help_text=item.points,
            )
            description = forms.CharField(label=f"{item.name}隐患", max_length=280, required=False)
            requirement = forms.CharField(label="整改要求", max_length=300, required=False)
            workdays = forms.IntegerField(
                label="整改时限(工作日)",
                min_value=1,
                max_value=MAX_DEADLINE_WORKDAYS,
                initial=10,
                required=False,
            )
            item_fields: tuple[tuple[str, forms.Field], ...] = (
                ("result", result),
                ("description", description),
                ("requirement", requirement),
                ("workdays", workdays),
            )
            for suffix, item_field in item_fields:
                self.fields[f"{item.code}_{suffix}"] = item_field
        # Style and name the errors again, so the per-item fields get the same.
        style_widgets(self)
        name_errors(self)
        for name, field in self.fields.items():
            if name.endswith("_result"):
                field.error_messages["required"] = f"请填写“{field.label}”的检查结果。"
        for item in checklist.ITEMS:
            self.items.append(
                {
                    "item": item,
                    "result": self[f"{item.code}_result"],
                    "description": self[f"{item.code}_description"],
                    "requirement": self[f"{item.code}_requirement"],
                    "workdays": self[f"{item.code}_workdays"],
                }
            )

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        results = {item.code: data[f"{item.code}_result"] for item in checklist.ITEMS}
        hazards = [
            {
                "item": item.code,
                "description": data.get(f"{item.code}_description", ""),
                "requirement": data.get(f"{item.code}_requirement", ""),
                "deadline_workdays": data.get(f"{item.code}_workdays"),
            }
            for item in checklist.ITEMS
            if results[item.code] == checklist.HAZARD
        ]
        return {
            "inspected_on": data["inspected_on"],
            "inspectors": data["inspectors"],
            "results": results,
            "hazards": hazards,
        }


class RectifyForm(LedgerForm):
    rectified_on = forms.DateField(label=_("整改完成日期"))
    rectification_note = forms.CharField(
        label=_("整改情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyForm(LedgerForm):
    verified_on = forms.DateField(label=_("复查确认日期"))


class CloseForm(LedgerForm):
    closed_on = forms.DateField(label=_("闭环日期"))


# ---- The unlicensed-kindergarten clean-up ----------------------------------------------------


class CampaignForm(LedgerForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    started_on = forms.DateField(label=_("开始日期"))
    due_on = forms.DateField(
        label=_("整治完成期限"),
        help_text=_("到期前,每一所待处置的幼儿园都列在我的待办中。"),
    )


class KindergartenForm(LedgerForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    operator = forms.CharField(label=_("举办者"), max_length=50)
    address = forms.CharField(label=_("地址"), max_length=200)
    children = forms.IntegerField(label=_("在园幼儿数"), min_value=0, max_value=32767, initial=0)
    found_on = forms.DateField(label=_("摸排日期"))


OUTCOMES = [
    (value, label)
    for value, label in UnlicensedKindergarten.Outcome.choices
    if value != UnlicensedKindergarten.Outcome.PENDING
]


class DisposeForm(LedgerForm):
    outcome = forms.ChoiceField(label=_("处置结果"), choices=OUTCOMES)
    outcome_on = forms.DateField(label=_("处置日期"))
    note = forms.CharField(
        label=_("处置说明"),
        max_length=200,
        required=False,
        help_text=_("合并的,写明并入哪所幼儿园。"),
    )


class CampaignCloseForm(LedgerForm):
    closed_on = forms.DateField(label=_("完成日期"))
