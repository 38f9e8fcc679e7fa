"""社会保险扩面征缴: the year's targets per insurance and where they stand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zhengtong.lib import listing
from zhengtong.lib.money import percent

from . import forms as f
from .actions import insurance as actions
from .models import InsuranceDrive
from .selectors import livelihood_rows_visible_to, require_keeping_unit
from .stats import insurance_summary
from .views import LedgerList, NoFilters, form_page, run_action, viewer_required


def _enrol_pct(row: InsuranceDrive):
    return percent(row.enrolled, row.enrol_target)


def _collect_pct(row: InsuranceDrive):
    return percent(row.collected, row.collect_target)


class InsuranceDriveList(LedgerList):
    """One row per insurance of the year: 扩面 (people newly enrolled against the target) and
    征缴 (contributions collected against the target), and whether both are reached."""

    title = "社会保险扩面征缴"
    template_name = "livelihood/insurance_list.html"
    filter_form = NoFilters
    year_field = "as_of"
    default_sort = "insurance"
    export_name = "社会保险扩面征缴"
    empty_text = "本年度还没有登记扩面征缴目标。"
    columns = (
        listing.Column("insurance", "险种", "get_insurance_display", sort="insurance"),
        listing.Column("enrolled", "新增参保(人)", kind=listing.COUNT, sort="enrolled"),
        listing.Column("enrol_target", "扩面目标(人)", kind=listing.COUNT, wide_only=True),
        listing.Column("enrol_pct", "扩面完成率", _enrol_pct, kind=listing.PCT),
        listing.Column("collected", "已征缴", kind=listing.MONEY),
        listing.Column("collect_target", "征缴目标", kind=listing.MONEY, wide_only=True),
        listing.Column("collect_pct", "征缴完成率", _collect_pct, kind=listing.PCT),
        listing.Column("as_of", "截至", kind=listing.DATE, sort="as_of", nowrap=True),
        listing.Column("done", "完成", kind=listing.BOOL),
    )

    def get_queryset(self):
        return livelihood_rows_visible_to(self.request.user, InsuranceDrive.objects.all())

    def get_context_data(self, queryset) -> dict:
        summary = insurance_summary(queryset)
        return {
            **super().get_context_data(queryset),
            "summary": summary,
            "all_done": summary["all_done"],
        }


insurance_list = viewer_required(InsuranceDriveList.as_view())


@login_required
@require_http_methods(["GET", "POST"])
def insurance_record(request: HttpRequest) -> HttpResponse:
    unit = require_keeping_unit(request.user)
    form = f.InsuranceDriveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        drive = run_action(
            form, actions.insurance_drive_record, actor=request.user, org_unit=unit,
            **form.cleaned_data,
        )  # fmt: skip
        if drive is not None:
            messages.success(request, f"已保存{drive}的扩面征缴数据。")
            return redirect(reverse("livelihood:insurance_list") + f"?year={drive.year}")
    return form_page(
        request, form, title="社会保险扩面征缴", back=reverse("livelihood:insurance_list")
    )
