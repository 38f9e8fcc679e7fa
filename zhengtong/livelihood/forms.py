"""Input forms of the livelihood ledgers: they parse; the actions decide what is allowed."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import EmploymentRecord, InternshipBase, Loan, TrainingClass

DATE = forms.DateInput(attrs={"type": "date"})
MONEY_ATTRS = {"inputmode": "decimal", "step": "0.01"}


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
    """Put an action's errors next to the fields they name; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PersonFields(BootstrapForm):
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class EmploymentForm(PersonFields):
    kind = forms.ChoiceField(label=_("类别"), choices=EmploymentRecord.Kind.choices)
    employed_on = forms.DateField(label=_("就业日期"), widget=DATE)
    employer = forms.CharField(label=_("就业单位/转移去向"), max_length=200)


class UnemploymentForm(BootstrapForm):
    period = forms.DateField(label=_("统计期(该月任一日)"), widget=DATE)
    registered_unemployed = forms.IntegerField(label=_("城镇登记失业人数"), min_value=0)
    labour_force = forms.IntegerField(label=_("城镇从业及登记失业人数"), min_value=1)


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
    submitted_on = forms.DateField(label=_("申请日期"), widget=DATE)


class LoanApproveForm(BootstrapForm):
    amount_approved = forms.DecimalField(
        label=_("核准金额(元)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    approved_on = forms.DateField(label=_("审批日期"), widget=DATE)


class LoanRejectForm(BootstrapForm):
    reason = forms.CharField(label=_("不予批准的理由"), max_length=300)


class LoanDisburseForm(BootstrapForm):
    amount = forms.DecimalField(
        label=_("放款金额(元)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
    )
    paid_on = forms.DateField(label=_("放款日期"), widget=DATE)


class LoanRepayForm(BootstrapForm):
    repaid_on = forms.DateField(label=_("还清日期"), widget=DATE)


class InternshipBaseForm(BootstrapForm):
    name = forms.CharField(label=_("基地名称"), max_length=100)
    employer = forms.CharField(label=_("依托单位"), max_length=100)
    level = forms.CharField(label=_("级别"), max_length=10, initial="市级")
    positions = forms.IntegerField(label=_("见习岗位数"), initial=0)
    applied_on = forms.DateField(label=_("申报日期"), widget=DATE)


class InternshipDecideForm(BootstrapForm):
    approved = forms.TypedChoiceField(
        label=_("认定结果"),
        choices=[("1", _("认定")), ("0", _("不予认定"))],
        coerce=lambda v: v == "1",
    )
    decided_on = forms.DateField(label=_("认定日期"), widget=DATE)
    reason = forms.CharField(label=_("未认定理由"), max_length=300, required=False)


class TrainingClassForm(BootstrapForm):
    name = forms.CharField(label=_("班次名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=TrainingClass.Kind.choices)
    start_on = forms.DateField(label=_("开班日期"), widget=DATE)
    end_on = forms.DateField(label=_("结业日期"), widget=DATE)
    sessions = forms.IntegerField(label=_("课时(次)"))


class TraineeForm(PersonFields):
    pass


class TraineeUpdateForm(BootstrapForm):
    attended_sessions = forms.IntegerField(label=_("出勤次数"))
    completed = forms.BooleanField(label=_("结业"), required=False)


class FilterForm(BootstrapForm):
    """The filters every ledger list shares besides its year (`lib.periods`): free text, and a
    status or kind."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态/类别"), required=False)

    def __init__(self, *args, status_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部"))] + list(status_choices)

    def value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else None


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


LOAN_STATUS_CHOICES = Loan.Status.choices
BASE_STATUS_CHOICES = InternshipBase.Status.choices
