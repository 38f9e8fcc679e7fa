"""志愿者 1+1 结对: a volunteer paired with a person in need, who visits on a cadence."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.lib import listing
from zhengtong.lib.forms import add_errors

from .. import forms_care as f
from ..actions import care
from ..models import Pairing
from ..selectors import rows_visible_to
from .common import get_row, person_from_query, population_required


class PairingList(listing.ListPage):
    """Active pairings by next due date; a missed visit (today past the due date) is marked."""

    title = "志愿者 1+1 结对"
    template_name = "population/pairing_list.html"
    filter_form = f.PairingFilterForm
    search_fields = ("person__name", "volunteer_name")
    search_label = "对象或志愿者"
    default_sort = "next_due_on"
    export_name = "志愿者结对"
    empty_text = "没有结对。"
    columns = (
        listing.Column(
            "name", "帮扶对象", "person.name", link=listing.link("population:pairing_detail")
        ),
        listing.Column("id_number", "公民身份号码", "person.masked_id", nowrap=True),
        listing.Column("village", "村", "org_unit.name"),
        listing.Column("volunteer", "志愿者", "volunteer_name"),
        listing.Column("cadence", "周期(天)", "cadence_days", kind=listing.COUNT),
        listing.Column(
            "next_due_on",
            "下次走访期限",
            kind=listing.DATE,
            sort="next_due_on",
            template="population/_pairing_due.html",
        ),
    )

    def get_form_kwargs(self) -> dict:
        return {"today": timezone.localdate()}

    def get_queryset(self):
        return rows_visible_to(
            self.request.user, Pairing.objects.select_related("person", "org_unit")
        )

    def get_context_data(self, queryset) -> dict:
        return {"today": timezone.localdate()}


pairing_list = population_required(PairingList.as_view())


@population_required
@require_http_methods(["GET", "POST"])
def pairing_create(request: HttpRequest) -> HttpResponse:
    person = person_from_query(request)
    form = f.PairingForm(
        request.POST or None,
        user=request.user,
        person=person,
        initial={"started_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "id_number"}
            try:
                pairing = care.pairing_create(actor=request.user, person=form.person, **data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已结对,首次走访期限 {pairing.next_due_on:%Y-%m-%d}。")
                return redirect("population:pairing_detail", pk=pairing.pk)
        status = 400
    context = {"form": form, "person": person}
    return render(request, "population/pairing_form.html", context, status=status)


def _get_pairing(user, pk) -> Pairing:
    return get_row(
        user, rows_visible_to(user, Pairing.objects.select_related("person", "org_unit")), pk
    )


def _render_pairing(request, pairing: Pairing, *, bound=None, status=200) -> HttpResponse:
    forms_ = {}
    if pairing.active:
        forms_ = {
            "visit": f.PairingVisitForm(initial={"visited_on": timezone.localdate()}),
            "end": f.PairingEndForm(),
        }
        forms_.update(bound or {})
    context = {
        "pairing": pairing,
        "visits": list(pairing.visits.select_related("recorded_by").order_by("-visited_on")),
        "overdue": pairing.active and pairing.next_due_on < timezone.localdate(),
        "forms": forms_,
    }
    return render(request, "population/pairing_detail.html", context, status=status)


@population_required
@require_GET
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_pairing(request, _get_pairing(request.user, pk))


@population_required
@require_POST
def pairing_visit(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _get_pairing(request.user, pk)
    form = f.PairingVisitForm(request.POST)
    if form.is_valid():
        try:
            care.pairing_record_visit(actor=request.user, pairing=pairing, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            pairing.refresh_from_db()
            messages.success(request, f"已登记走访,下次走访期限 {pairing.next_due_on:%Y-%m-%d}。")
            return redirect("population:pairing_detail", pk=pairing.pk)
    return _render_pairing(request, pairing, bound={"visit": form}, status=400)


@population_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = _get_pairing(request.user, pk)
    form = f.PairingEndForm(request.POST)
    if form.is_valid():
        try:
            care.pairing_end(actor=request.user, pairing=pairing, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "结对已结束。")
            return redirect("population:pairing_detail", pk=pairing.pk)
    return _render_pairing(request, pairing, bound={"end": form}, status=400)
