"""城中村改造 and 农村新型社区: programmes, their progress (签约, 拆迁, 安置房, 入住) and entries.

Everything is read through programmes_visible_to(). The key-project office (or a liaison of
the keeping unit) registers programmes, records and corrects progress; leaders read.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from zhengtong.accounts.models import OrgUnit
from zhengtong.accounts.permissions import role_required
from zhengtong.lib import listing
from zhengtong.lib.forms import StyledForm, add_errors, mark_invalid, model_choice_field
from zhengtong.lib.money import percent

from .actions.relocation import COUNTS, entry_correct, programme_create, progress_record
from .forms import units_for
from .models import KeyProject, RelocationEntry, RelocationProgramme
from .selectors import (
    MANAGE_ROLES,
    VIEW_ROLES,
    can_record_relocation,
    get_programme_for_user,
    programmes_visible_to,
    projects_visible_to,
)
from .views_funds import date_field

KINDS_KEEPING = [OrgUnit.Kind.ZONE, OrgUnit.Kind.TOWN, OrgUnit.Kind.COUNTY]


def with_progress(queryset: QuerySet) -> QuerySet:
    """Programmes annotated with the sums of their entries, in the database."""
    return queryset.annotate(
        **{k: Coalesce(Sum(f"entries__{k}"), Value(0), output_field=IntegerField()) for k in COUNTS}
    )


def progress_summary(programmes: QuerySet) -> dict:
    """Count, households and the sums over `programmes` (two queries, in the database)."""
    sums = programmes.order_by().aggregate(
        count=Count("pk"), households=Sum("households"), housing_units=Sum("housing_units")
    )
    done = RelocationEntry.objects.filter(
        programme__in=programmes.order_by().values("pk")
    ).aggregate(**{k: Sum(k) for k in COUNTS})
    result = {k: sums[k] or 0 for k in ("count", "households", "housing_units")}
    result.update({k: done[k] or 0 for k in COUNTS})
    result["moved_in_pct"] = percent(result["moved_in"], result["households"])
    return result


def bars(programme) -> list[dict]:
    """签约, 拆迁 and 入住 as % of the households, for the bars of a row."""
    return [
        {"label": label, "count": getattr(programme, key), "css": css,
         "pct": percent(getattr(programme, key), programme.households)}
        for key, label, css in (
            ("signed", "签约", "bg-info"),
            ("demolished", "拆迁", "bg-warning"),
            ("moved_in", "入住", "bg-success"),
        )
    ]  # fmt: skip


def _moved_in_pct(programme):
    return percent(programme.moved_in, programme.households)


class RelocationFilterForm(StyledForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        required=False,
        choices=[("", "全部"), *RelocationProgramme.Kind.choices],
    )

    def filter(self, queryset):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        return queryset


class RelocationList(listing.ListPage):
    """Every visible programme with its households, 签约/拆迁/入住 and the bars of each."""

    title = "城中村改造和农村新型社区"
    template_name = "projects/relocation_list.html"
    summary_template = "projects/_relocation_sums.html"
    filter_form = RelocationFilterForm
    search_fields = ("name", "villages")
    search_placeholder = "项目名称或村名"
    default_sort = "name"
    export_name = "拆迁安置进度"
    empty_text = "暂无城中村改造或农村新型社区项目。"
    columns = (
        listing.Column(
            "name",
            "项目",
            sort="name",
            link=lambda p: reverse("projects:relocation_detail", args=[p.pk]),
        ),
        listing.Column("kind", "类型", "get_kind_display", sort="kind", nowrap=True),
        listing.Column("villages", "涉及村(片区)", wide_only=True),
        listing.Column("households", "应拆迁(户)", kind=listing.COUNT, sort="households"),
        listing.Column("signed", "签约(户)", kind=listing.COUNT),
        listing.Column("demolished", "已拆迁(户)", kind=listing.COUNT),
        listing.Column("housing_units", "安置房(套)", kind=listing.COUNT, wide_only=True),
        listing.Column("built", "已建成(套)", kind=listing.COUNT, wide_only=True),
        listing.Column("moved_in", "已入住(户)", kind=listing.COUNT),
        listing.Column("moved_in_pct", "入住率", _moved_in_pct, kind=listing.PCT),
        listing.Column(
            "bars", "进度", bars, template="projects/_relocation_bars.html", export=False
        ),
    )

    def get_queryset(self):
        return with_progress(programmes_visible_to(self.request.user))

    def get_context_data(self, queryset) -> dict:
        return {
            "summary": progress_summary(queryset),
            "can_create": can_create_programme(self.request.user),
        }


relocation_list = role_required(*VIEW_ROLES)(RelocationList.as_view())


class ProgressForm(StyledForm):
    recorded_on = date_field(gettext_lazy("日期"))
    signed = forms.IntegerField(label=gettext_lazy("签约(户)"), required=False)
    demolished = forms.IntegerField(label=gettext_lazy("已拆迁(户)"), required=False)
    built = forms.IntegerField(label=gettext_lazy("安置房建成(套)"), required=False)
    moved_in = forms.IntegerField(label=gettext_lazy("搬迁入住(户)"), required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COUNTS:
            field = self.fields[name]
            field.widget.attrs.update({"inputmode": "numeric"})
            field.error_messages["invalid"] = _("%(label)s必须是整数。") % {"label": field.label}

    def counts(self) -> dict:
        return {k: self.cleaned_data.get(k) or 0 for k in COUNTS}


class CorrectForm(ProgressForm):
    reason = forms.CharField(label=gettext_lazy("更正原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("请填写更正原因。")


class RelocationDetail(listing.ListPage):
    """One programme: its figures and bars, the form to record progress, then the entries."""

    template_name = "projects/relocation_detail.html"
    default_sort = "-recorded_on"
    tie_breaker = "-id"
    search_fields = ("note",)
    search_label = "说明"
    export_name = "拆迁安置进度记录"
    empty_text = "尚无进度记录。"

    programme: RelocationProgramme

    @property
    def title(self) -> str:  # type: ignore[override]
        return str(self.programme.name)

    def get_columns(self):
        columns = [
            listing.Column("recorded_on", "日期", kind=listing.DATE, sort="recorded_on"),
            listing.Column("signed", "签约(户)", kind=listing.COUNT),
            listing.Column("demolished", "已拆迁(户)", kind=listing.COUNT),
            listing.Column("built", "建成(套)", kind=listing.COUNT),
            listing.Column("moved_in", "入住(户)", kind=listing.COUNT),
            listing.Column("note", "说明"),
            listing.Column("created_by", "登记人", "created_by.display_name", phone=False),
        ]
        if self.can_record:
            columns.append(
                listing.Column(
                    "correct",
                    "更正",
                    lambda e: "更正",
                    link=lambda e: reverse("projects:relocation_correct", args=[e.pk]),
                    export=False,
                )
            )
        return columns

    def setup(self, request, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.programme = get_programme_for_user(request.user, kwargs["pk"])
        self.can_record = can_record_relocation(request.user, self.programme)

    def get_queryset(self):
        return RelocationEntry.objects.filter(programme=self.programme).select_related("created_by")

    def get_context_data(self, queryset) -> dict:
        programme = with_progress(RelocationProgramme.objects.filter(pk=self.programme.pk)).get()
        return {
            "programme": self.programme,
            "figures": programme,
            "bars": bars(programme),
            "form": ProgressForm() if self.can_record else None,
        }


relocation_detail = login_required(RelocationDetail.as_view())


def _programme_for_recording(request, pk: int) -> RelocationProgramme:
    programme = get_programme_for_user(request.user, pk)
    if not can_record_relocation(request.user, programme):
        raise PermissionDenied
    return programme


@login_required
@require_http_methods(["GET", "POST"])
def relocation_record(request, pk: int):
    """Record a day's progress of a programme (the office or the keeping unit's liaison)."""
    programme = _programme_for_recording(request, pk)
    form = ProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            progress_record(
                actor=request.user,
                programme=programme,
                recorded_on=form.cleaned_data["recorded_on"],
                note=form.cleaned_data["note"],
                **form.counts(),
            )
        except ValidationError as error:
            add_errors(form, error)
            mark_invalid(form)
        else:
            messages.success(request, _("已登记“%(name)s”的进度。") % {"name": programme.name})
            return redirect(programme)
    return render(
        request,
        "projects/relocation_form.html",
        {"programme": programme, "form": form, "title": _("登记进度"), "button": _("登记")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def relocation_correct(request, pk: int):
    """Correct an entry (its date, counts or note), with a reason that the audit log keeps."""
    visible = programmes_visible_to(request.user).order_by().values("pk")
    entry = get_object_or_404(
        RelocationEntry.objects.filter(programme__in=visible).select_related("programme__org_unit"),
        pk=pk,
    )
    programme = entry.programme
    if not can_record_relocation(request.user, programme):
        raise PermissionDenied
    initial = {k: getattr(entry, k) for k in ["recorded_on", *COUNTS, "note"]}
    form = CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry_correct(
                actor=request.user,
                entry=entry,
                recorded_on=form.cleaned_data["recorded_on"],
                note=form.cleaned_data["note"],
                reason=form.cleaned_data["reason"],
                **form.counts(),
            )
        except ValidationError as error:
            add_errors(form, error)
            mark_invalid(form)
        else:
            messages.success(
                request,
                _("已更正 %(day)s 的进度记录。") % {"day": f"{entry.recorded_on:%Y-%m-%d}"},
            )
            return redirect(programme)
    return render(
        request,
        "projects/relocation_form.html",
        {
            "programme": programme,
            "form": form,
            "title": _("更正进度记录"),
            "button": _("保存更正"),
        },
    )


def can_create_programme(user) -> bool:
    return units_for(user, MANAGE_ROLES).filter(kind__in=KINDS_KEEPING).exists()


class ProgrammeForm(StyledForm):
    org_unit = forms.ModelChoiceField(
        label=gettext_lazy("负责单位"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=RelocationProgramme.Kind.choices)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    villages = forms.CharField(label=gettext_lazy("涉及村(片区)"), max_length=200)
    project = forms.ModelChoiceField(
        label=gettext_lazy("关联重点项目"),
        queryset=KeyProject.objects.none(),
        required=False,
        empty_label="无",
    )
    households = forms.IntegerField(label=gettext_lazy("应拆迁户数"))
    housing_units = forms.IntegerField(label=gettext_lazy("安置房套数"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "org_unit").queryset = units_for(user, MANAGE_ROLES).filter(
            kind__in=KINDS_KEEPING
        )
        model_choice_field(self, "project").queryset = projects_visible_to(user).order_by("code")
        for name, label in (("households", "应拆迁户数"), ("housing_units", "安置房套数")):
            self.fields[name].error_messages["invalid"] = f"{label}必须是整数。"
        for name in ("name", "villages", "households"):
            label = self.fields[name].label
            self.fields[name].error_messages["required"] = f"请填写{label}。"


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*MANAGE_ROLES)
def programme_new(request):
    """Register a programme: its kind, villages, households and the resettlement flats."""
    if not can_create_programme(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["housing_units"] = data.get("housing_units") or 0
        try:
            programme = programme_create(actor=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
            mark_invalid(form)
        else:
            messages.success(request, _("已登记“%(name)s”。") % {"name": programme.name})
            return redirect(programme)
    return render(
        request,
        "projects/relocation_form.html",
        {"programme": None, "form": form, "title": _("新建拆迁安置项目"), "button": _("登记")},
    )
