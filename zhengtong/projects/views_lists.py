"""Yearly lists (年度重点项目清单): see them, carry this year's to next year, edit, approve.

The key-project office (and admins) only; everyone else gets 403, whatever the list id.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing
from zhengtong.lib.forms import StyledForm

from .actions.lists import DraftRow, list_approve, list_draft_save
from .lists import CLOSED_STAGES, remaining_of, with_remaining
from .models import KeyProject, ListEntry, ProjectList
from .progress import MONEY_OUT
from .selectors import can_manage_lists, projects_for_lists

PLAN_ERRORS = {
    "required": "请填写年度计划投资(元)。",
    "invalid": "年度计划投资须为金额数字(元)。",
    "min_value": "年度计划投资不能为负数。",
    "max_digits": "年度计划投资位数过多,请核对金额单位(应以元为单位)。",
    "max_decimal_places": "年度计划投资最多保留两位小数(分)。",
    "max_whole_digits": "年度计划投资位数过多,请核对金额单位(应以元为单位)。",
}


class ListDraftForm(StyledForm):
    """Every candidate row of a draft (keep it? its plan in 元) plus projects to add."""

    add = forms.ModelMultipleChoiceField(
        label="新增项目",
        required=False,
        queryset=KeyProject.objects.none(),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        help_text="未列入本清单、未完成的项目;年度计划投资默认为剩余投资,保存后可修改。",
        error_messages={"invalid_choice": "所选项目不能加入本清单。"},
    )

    def __init__(self, *args, candidates, addable, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for project in candidates:
            self.fields[f"keep_{project.pk}"] = forms.BooleanField(
                required=False,
                initial=True,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"plan_{project.pk}"] = forms.DecimalField(
                label=f"“{project.name}”的年度计划投资",
                required=False,
                max_digits=16,
                decimal_places=2,
                min_value=Decimal("0"),
                initial=project.proposed_plan,
                error_messages=PLAN_ERRORS,
                widget=forms.NumberInput(
                    attrs={"class": "form-control form-control-sm text-end", "step": "0.01"}
                ),
            )
        self.fields["add"].queryset = addable

    def rows(self):
        """Pair each candidate with its bound fields, for the template."""
        for project in self.candidates:
            yield project, self[f"keep_{project.pk}"], self[f"plan_{project.pk}"]

    def clean(self):
        cleaned = super().clean()
        for project in self.candidates:
            name = f"plan_{project.pk}"
            if cleaned.get(f"keep_{project.pk}") and name in cleaned and cleaned[name] is None:
                self.add_error(name, PLAN_ERRORS["required"])
        return cleaned

    def draft_rows(self, *, year: int) -> list[DraftRow]:
        rows = [
            DraftRow(project=p, annual_plan=self.cleaned_data[f"plan_{p.pk}"])
            for p in self.candidates
            if self.cleaned_data.get(f"keep_{p.pk}")
        ]
        added = list(with_remaining(self.cleaned_data["add"].order_by("code"), year=year))
        rows += [DraftRow(project=p, annual_plan=remaining_of(p)) for p in added]
        return rows


def _candidates(queryset, *, year: int) -> list[KeyProject]:
    """Rows with `remaining_investment` before `year` and the plan proposed for it."""
    projects = list(
        with_remaining(queryset, year=year).select_related("sector").order_by("position", "code")
    )
    for project in projects:
        project.remaining = remaining_of(project)
        proposed = getattr(project, "annual_plan", None)
        project.proposed_plan = project.remaining if proposed is None else proposed
    return projects


def _addable(user, exclude_ids):
    return (
        projects_for_lists(user)
        .exclude(stage__in=CLOSED_STAGES)
        .exclude(pk__in=exclude_ids)
        .order_by("code")
    )


def _closed(source: ProjectList | None, user) -> list[KeyProject]:
    if source is None:
        return []
    return list(
        projects_for_lists(user)
        .on_list(source.year, drafts=True)
        .filter(stage__in=CLOSED_STAGES)
        .order_by("position")
    )


def _message(request, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message}
    return TemplateResponse(request, "projects/list_message.html", context, status=400)


class ListIndex(listing.ListPage):
    """Every yearly list with its count and Σ annual plan, drafts included."""

    title = "年度重点项目清单"
    template_name = "projects/list_index.html"
    default_sort = "-year"
    export_name = "年度重点项目清单"
    empty_text = "尚无年度清单。登记项目时会按其入库年度建立清单草稿。"
    columns = (
        listing.Column("year", "年度", sort="year", wide_only=True),
        listing.Column(
            "title", "清单", link=lambda pl: pl.get_absolute_url(),
            template="projects/_list_title_cell.html",
        ),
        listing.Column(
            "status", "状态", "get_status_display", sort="status",
            template="projects/_list_status_cell.html",
        ),
        listing.Column("count", "项目数", kind=listing.COUNT, sort="count"),
        listing.Column("plan", "年度计划投资", kind=listing.MONEY, sort="plan"),
        listing.Column("approved_by", "批准人", "approved_by", phone=False),
        listing.Column("approved_at", "批准时间", kind=listing.DATETIME, phone=False),
        listing.Column(
            "carry", "结转", lambda pl: None, export=False, template="projects/_carry_cell.html"
        ),
    )  # fmt: skip

    def get_queryset(self):
        next_year = ProjectList.objects.filter(year=OuterRef("year") + 1)
        return ProjectList.objects.select_related("approved_by", "carried_from").annotate(
            count=Count("entries"),
            plan=Coalesce(Sum("entries__annual_plan"), Value(Decimal("0")), output_field=MONEY_OUT),
            has_next=Exists(next_year),
        )


list_index = require_http_methods(["GET"])(
    role_required(test=can_manage_lists)(ListIndex.as_view())
)


class ApprovedList(listing.ListPage):
    """An approved list, read-only: its projects by 序号 with their plans of that year."""

    template_name = "projects/list_detail.html"
    summary_template = "projects/_approved_list_sums.html"
    default_sort = "position"
    search_fields = ("name", "code")
    search_placeholder = "项目名称或编号"
    columns = (
        listing.Column("position", "序号", kind=listing.COUNT, sort="position"),
        listing.Column(
            "name", "项目", sort="name", link=lambda p: p.get_absolute_url(),
            template="projects/_list_project_cell.html",
        ),
        listing.Column("origin", "来源", lambda p: ListEntry.Origin(p.origin).label),
        listing.Column(
            "total_investment", "总投资", kind=listing.MONEY, sort="total_investment"
        ),
        listing.Column("annual_plan", "年度计划投资", kind=listing.MONEY, sort="annual_plan"),
    )  # fmt: skip

    project_list: ProjectList

    @property
    def title(self) -> str:  # type: ignore[override]
        return str(self.project_list.title)

    @property
    def export_name(self) -> str:  # type: ignore[override]
        return str(self.project_list.title)

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.project_list = kwargs["project_list"]

    def get_queryset(self):
        on_list = projects_for_lists(self.request.user).on_list(self.project_list.year, drafts=True)
        return on_list.annotate(origin=F("list_entries__origin")).select_related("sector")

    def get_context_data(self, queryset) -> dict:
        totals = queryset.order_by().aggregate(
            count=Count("pk"), total=Sum("total_investment"), plan=Sum("annual_plan")
        )
        return {"project_list": self.project_list, "totals": totals}


approved_list = ApprovedList.as_view()


def _save(request, form, *, year, carried_from, project_list=None):
    try:
        saved = list_draft_save(
            actor=request.user,
            year=year,
            rows=form.draft_rows(year=year),
            carried_from=carried_from,
            is_example=bool(carried_from and carried_from.is_example),
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return None
    messages.success(request, f"已保存{saved.title}草稿,共 {saved.entries.count()} 个项目。")
    return redirect(saved)


@login_required
@require_http_methods(["GET", "POST"])
@role_required(test=can_manage_lists)
def list_carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose next year's list from an approved one: unfinished projects with what is left."""
    source = get_object_or_404(ProjectList, pk=pk)
    year = source.year + 1
    if not source.is_approved:
        return _message(request, "结转清单", f"{source.year}年清单尚未批准,不能结转到下一年度。")
    target = ProjectList.objects.filter(year=year).first()
    if target is not None and target.is_approved:
        return _message(request, "结转清单", f"{year}年清单已批准,不能重复结转。")
    if target is not None:
        messages.info(request, f"{year}年清单草稿已存在,请在此修改。")
        return redirect(target)
    candidates = _candidates(
        projects_for_lists(request.user).on_list(source.year).exclude(stage__in=CLOSED_STAGES),
        year=year,
    )
    for project in candidates:
        # Carried over: the default plan is everything still to invest.
        project.proposed_plan = project.remaining
    addable = _addable(request.user, [p.pk for p in candidates])
    form = ListDraftForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        addable=addable,
    )
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, year=year, carried_from=source)
        if response is not None:
            return response
    context = {
        "form": form,
        "year": year,
        "source": source,
        "closed": _closed(source, request.user),
        "project_list": None,
    }
    return render(request, "projects/list_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@role_required(test=can_manage_lists)
def list_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A draft is edited here (saved whole, 序号 renumbered); an approved list is read-only."""
    project_list = get_object_or_404(
        ProjectList.objects.select_related("carried_from", "approved_by"), pk=pk
    )
    if project_list.is_approved:
        if request.method == "POST":
            return _message(request, project_list.title, "已批准的清单不能再修改。")
        return approved_list(request, pk=pk, project_list=project_list)
    on_list = projects_for_lists(request.user).on_list(project_list.year, drafts=True)
    candidates = _candidates(on_list, year=project_list.year)
    addable = _addable(request.user, [p.pk for p in candidates])
    form = ListDraftForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        addable=addable,
    )
    if request.method == "POST" and form.is_valid():
        response = _save(
            request, form, year=project_list.year, carried_from=project_list.carried_from
        )
        if response is not None:
            return response
    context = {
        "form": form,
        "year": project_list.year,
        "source": project_list.carried_from,
        "closed": _closed(project_list.carried_from, request.user),
        "project_list": project_list,
    }
    return render(request, "projects/list_edit.html", context)


@login_required
@require_POST
@role_required(test=can_manage_lists)
def list_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    project_list = get_object_or_404(ProjectList, pk=pk)
    try:
        approved = list_approve(actor=request.user, project_list=project_list)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(project_list)
    messages.success(request, f"已批准{approved.title}。")
    return redirect(approved)
