"""计生助福: the help given to 计生特殊家庭, 留守儿童 and the elderly (money, goods, services)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhengtong.lib import listing
from zhengtong.lib.forms import add_errors

from .. import forms_care as f
from ..actions import care
from ..models import Assistance
from ..selectors import rows_visible_to
from .common import person_from_query, population_required


class AssistanceList(listing.ListPage):
    """The help given in the user's villages, newest first, with the sum of the money given
    over the filtered rows."""

    title = "计生助福 · 帮扶记录"
    template_name = "population/assistance_list.html"
    summary_template = "population/_assistance_sums.html"
    filter_form = f.AssistanceFilterForm
    search_fields = ("person__name", "program")
    search_label = "姓名或项目"
    ordering = ("-given_on", "-id")
    tie_breaker = "-id"
    export_name = "计生助福帮扶记录"
    empty_text = "没有帮扶记录。"
    columns = (
        listing.Column("given_on", "发放日期", kind=listing.DATE),
        listing.Column("name", "对象", "person.name"),
        listing.Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("village", "村", "org_unit.name"),
        listing.Column("category", "类别", "get_category_display", nowrap=True),
        listing.Column("program", "项目"),
        listing.Column("content", "内容", phone=False),
        listing.Column("amount", "金额", kind=listing.MONEY),
        listing.Column("given_by", "经办人", "given_by.display_name", phone=False),
    )

    def get_queryset(self):
        rows = rows_visible_to(self.request.user, Assistance.objects.all())
        return rows.select_related("person", "org_unit", "given_by")

    def get_context_data(self, queryset) -> dict:
        sums = queryset.aggregate(total=Count("id"), money=Count("amount"), amount=Sum("amount"))
        return {"sums": sums, "rule": care.ASSISTANCE_RULE}


assistance_list = population_required(AssistanceList.as_view())


@population_required
@require_http_methods(["GET", "POST"])
def assistance_create(request: HttpRequest) -> HttpResponse:
    person = person_from_query(request)
    form = f.AssistanceForm(
        request.POST or None,
        user=request.user,
        person=person,
        initial={"given_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "id_number"}
            try:
                care.assistance_record(actor=request.user, person=form.person, **data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "帮扶记录已保存。")
                return redirect("population:assistance_list")
        status = 400
    context = {"form": form, "person": person, "rule": care.ASSISTANCE_RULE}
    return render(request, "population/assistance_form.html", context, status=status)
