"""Forms of the register pages. They parse input; the rules live in actions/."""

from django import forms
from django.db.models import QuerySet
from django.forms.models import fields_for_model, model_to_dict

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.accounts.scope import scope
from zhengtong.lib.forms import (
    DateInput,
    MonthInput,
    StyledForm,
    choice_field,
    model_choice_field,
    style_widgets,
)

from . import progress
from .actions.register import PLAN_FIELD, PLAN_LABEL, REASON_FIELDS, REGISTER_FIELDS
from .models import (
    STAGE_REOPEN,
    STAGE_TRANSITIONS,
    KeyProject,
    Milestone,
    Problem,
    Sector,
    Stage,
)
from .selectors import MANAGE_ROLES, leader_candidates, leaders_of_visible

DATE = DateInput()
CLASS_CHOICES = [
    (Stage.NOT_STARTED.value, "未开工"),
    (Stage.UNDER_CONSTRUCTION.value, "在建"),
    (Stage.COMPLETED.value, "已完成"),
    (Stage.CANCELLED.value, "已取消"),
]


def units_for(user, roles) -> QuerySet[OrgUnit]:
    """The org units in the subtrees where `user` holds `roles`."""
    return scope(OrgUnit.objects.all(), user, roles, via="").order_by("path")


class ProjectFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "项目名称或编号"}),
    )
    # The list picker: lists.choose_list() reads and checks ?year= itself, so a bad year never
    # drops the other filters; the widget offers the approved lists.
    year = forms.CharField(label="年度清单", required=False, widget=forms.Select)
    stage_class = forms.ChoiceField(
        label="分类", required=False, choices=[("", "全部"), *CLASS_CHOICES]
    )
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部"), *Stage.choices])
    # By code, so links (e.g. the cockpit's drill-downs) read ?sector=auto.
    sector = forms.ModelChoiceField(
        label="产业板块",
        required=False,
        queryset=Sector.objects.all(),
        empty_label="全部",
        to_field_name="code",
    )
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *KeyProject.Category.choices]
    )
    leader: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label="帮包领导", required=False, queryset=None, empty_label="全部"
    )
    flag = forms.ChoiceField(
        label="进度", required=False, choices=[("", "全部")] + list(progress.FLAG_LABELS.items())
    )

    def __init__(self, *args, user, choice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders_of_visible(user)
        self.fields["year"].widget.choices = [(pl.year, pl.title) for pl in choice.lists] or [
            ("", "尚无已批准的清单")
        ]
        if self.data.get("year") != str(choice.year):
            # Show the list actually displayed, not the refused value.
            self.data = self.data.copy()
            self.data["year"] = str(choice.year)

    def filter(self, qs):
        """Apply every filter except the search (the list page's) and the stage class (counted
        per class on the page)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("stage"):
            qs = qs.filter(stage=data["stage"])
        if data.get("sector"):
            qs = qs.filter(sector=data["sector"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("leader"):
            qs = qs.filter(leader_links__user=data["leader"])
        if data.get("flag"):
            qs = qs.filter(flag=data["flag"])
        return qs


class ProjectForm(StyledForm):
    """The register fields; on edit, a reason that is required when money or dates change."""

    reason = forms.CharField(
        label="变更理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="修改投资额或日期时必填,记入变更历史。",
    )

    def __init__(self, *args, user, instance: KeyProject | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            initial = model_to_dict(instance, fields=REGISTER_FIELDS)
            initial[PLAN_FIELD] = instance.annual_plan
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        fields = (
            REGISTER_FIELDS
            if instance is not None
            else [f for f in REGISTER_FIELDS if f not in ("actual_start_on", "actual_finish_on")]
        )
        model_fields = fields_for_model(
            KeyProject,
            fields=[f for f in fields if f != PLAN_FIELD],
            widgets={
                "planned_start_on": DATE,
                "planned_finish_on": DATE,
                "actual_start_on": DATE,
                "actual_finish_on": DATE,
                "description": forms.Textarea(attrs={"rows": 3}),
            },
        )
        reason = self.fields.pop("reason")
        for name, field in model_fields.items():
            self.fields[name] = field
            if name == "total_investment":
                self.fields[PLAN_FIELD] = forms.DecimalField(
                    label=PLAN_LABEL,
                    max_digits=16,
                    decimal_places=2,
                    help_text="列入本项目入库年度清单的年度计划投资;其他年度在年度清单中填写。",
                )
        units = units_for(user, MANAGE_ROLES)
        model_choice_field(self, "org_unit").queryset = units
        model_choice_field(self, "responsible_unit").queryset = units
        if instance is None:
            self.fields["stage"] = forms.ChoiceField(
                label="阶段",
                choices=[(s.value, s.label) for s in (Stage.NOT_STARTED, Stage.SURVEY)],
                initial=Stage.NOT_STARTED,
                help_text="转为在建须先指定帮包领导,请在登记后变更阶段。",
            )
        else:
            self.fields["reason"] = reason
        # The register fields come after the form is made: style them too.
        style_widgets(self)

    def changed_register_fields(self) -> dict:
        """The cleaned register fields whose value differs from the instance."""
        data = {f: self.cleaned_data[f] for f in REGISTER_FIELDS if f in self.cleaned_data}
        if self.instance is None:
            return data
        return {f: v for f, v in data.items() if getattr(self.instance, f) != v}

    def clean(self):
        cleaned = super().clean()
        if self.instance is not None and not self.errors:
            revised = [f for f in REASON_FIELDS if f in self.changed_register_fields()]
            if revised and not (cleaned.get("reason") or "").strip():
                names = "、".join(str(self.fields[f].label) for f in revised)
                self.add_error("reason", f"修改{names}须填写变更理由。")
        return cleaned


class StageForm(StyledForm):
    stage = forms.ChoiceField(label="变更为")
    reason = forms.CharField(
        label="理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="重新启用已完成或已取消的项目时必填。",
    )

    def __init__(self, *args, project: KeyProject, **kwargs):
        super().__init__(*args, **kwargs)
        current = Stage(project.stage)
        targets = STAGE_TRANSITIONS[current] | STAGE_REOPEN.get(current, set())
        choice_field(self, "stage").choices = [(s.value, s.label) for s in Stage if s in targets]


class LeadersForm(StyledForm):
    leaders: "forms.ModelMultipleChoiceField[User]" = forms.ModelMultipleChoiceField(
        label="帮包领导", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    responsible_unit: "forms.ModelChoiceField[OrgUnit]" = forms.ModelChoiceField(
        label="责任单位", queryset=None, required=False
    )

    def __init__(self, *args, project: KeyProject, user, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "leaders": [link.user_id for link in project.leader_links.all()],
                "responsible_unit": project.responsible_unit_id,
            },
        )
        super().__init__(*args, **kwargs)
        model_choice_field(self, "leaders").queryset = leader_candidates(project.org_unit)
        model_choice_field(self, "responsible_unit").queryset = units_for(user, MANAGE_ROLES)


class ReportForm(StyledForm):
    month = forms.DateField(
        label="月份",
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=MonthInput(),
    )
    investment = forms.DecimalField(
        label="本月完成投资(元)", max_digits=16, decimal_places=2, min_value=0
    )
    physical_progress = forms.DecimalField(
        label="形象进度(%)", max_digits=5, decimal_places=1, min_value=0, max_value=100
    )
    progress_note = forms.CharField(
        label="形象进度说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label="下步计划", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MilestoneForm(StyledForm):
    code = forms.ChoiceField(label="节点", choices=Milestone.Code.choices)
    due_on = forms.DateField(label="计划日期", widget=DATE)
    met_on = forms.DateField(label="实际日期", required=False, widget=DATE)
    note = forms.CharField(label="备注", required=False, max_length=200)


class ProblemForm(StyledForm):
    title = forms.CharField(label="问题", max_length=200)
    owning_unit: "forms.ModelChoiceField[OrgUnit]" = forms.ModelChoiceField(
        label="责任单位", queryset=None
    )
    deadline_workdays = forms.IntegerField(
        label="办结时限(工作日)",
        min_value=1,
        max_value=60,
        help_text="自提出次日起计算,节假日不计。",
    )
    description = forms.CharField(
        label="详细情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, project: KeyProject, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["deadline_workdays"].initial = settings.PROBLEM_DEFAULT_WORKDAYS
        # Any unit of the zone the project belongs to: the project unit, departments, the zone.
        parent = project.org_unit.parent or project.org_unit
        model_choice_field(self, "owning_unit").queryset = OrgUnit.objects.filter(
            path__startswith=parent.path
        ).order_by("path")


class ResolveForm(StyledForm):
    # Not required here: problem_resolve() states the rule and its message.
    resolution_note = forms.CharField(
        label="解决情况", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ProblemFilterForm(StyledForm):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "问题或项目名称"}),
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *Problem.Status.choices]
    )
    overdue = forms.BooleanField(label="仅看超期", required=False)
    owning_unit: "forms.ModelChoiceField[OrgUnit]" = forms.ModelChoiceField(
        label="责任单位", required=False, queryset=None, empty_label="全部"
    )
    project: "forms.ModelChoiceField[KeyProject]" = forms.ModelChoiceField(
        label="项目", required=False, queryset=None, empty_label="全部"
    )

    def __init__(self, *args, problems, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owning_unit"].queryset = OrgUnit.objects.filter(
            pk__in=problems.values("owning_unit")
        ).order_by("path")
        self.fields["project"].queryset = projects.order_by("code")

    def filter(self, qs, *, today):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("overdue"):
            qs = qs.filter(status=Problem.Status.OPEN, due_on__lt=today)
        if data.get("owning_unit"):
            qs = qs.filter(owning_unit=data["owning_unit"])
        if data.get("project"):
            qs = qs.filter(project=data["project"])
        return qs
