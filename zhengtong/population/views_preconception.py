"""The free pre-pregnancy check (孕前优生健康检查): enrol a woman, record the check's result.

Reached through the person, like the maternal pages: a person outside the user's villages is a
404 (audited), the same page as for a check that does not exist.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengtong.inbox.registry import deadline
from zhengtong.lib.forms import DateInput, StyledForm, add_errors

from .actions import maternal as maternal_actions
from .models import PreconceptionCheck
from .selectors import can_write_person, get_person_for_user
from .views_followups import _person_of_row


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}格式不正确。"},
        **kwargs,
    )


class EnrolForm(StyledForm):
    enrolled_on = _date(
        "登记日期", help_text="计划怀孕的夫妇申请免费检查之日;检查期限按工作日推算。"
    )


class ResultForm(StyledForm):
    done_on = _date("检查日期")
    result = forms.ChoiceField(
        label="检查结果",
        choices=[("", "—"), *PreconceptionCheck.Result.choices],
        required=False,
    )
    note = forms.CharField(
        label="风险因素与咨询指导",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


CHECKS = PreconceptionCheck.objects.select_related("person", "org_unit", "done_by", "pregnancy")


@login_required
@require_http_methods(["GET", "POST"])
def preconception_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, person_pk, for_write=True, purpose="孕前优生")
    form = EnrolForm(request.POST or None, initial={"enrolled_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                check = maternal_actions.preconception_enrol(
                    actor=request.user, person=person, enrolled_on=form.cleaned_data["enrolled_on"]
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                due = f",检查期限 {check.due_on:%Y-%m-%d}" if check.due_on else ""
                messages.success(request, f"已登记孕前优生健康检查{due}。")
                return redirect("population:preconception_detail", check.pk)
        status = 400
    context = {
        "form": form,
        "person": person,
        "workdays": maternal_actions.preconception_workdays(),
    }
    return render(request, "population/preconception_form.html", context, status=status)


def _page(request, check: PreconceptionCheck, person, form=None) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "check": check,
        "person": person,
        "can_write": can_write_person(request.user, person) and check.done_on is None,
        "form": form or ResultForm(initial={"done_on": today}),
        "deadline": deadline(check.due_on, today=today) if check.done_on is None else None,
    }
    return render(
        request, "population/preconception_detail.html", context, status=400 if form else 200
    )


@login_required
@require_GET
def preconception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check, person = _person_of_row(request, CHECKS, pk, lambda c: c.person_id, purpose="孕前优生")
    return _page(request, check, person)


@login_required
@require_POST
def preconception_record(request: HttpRequest, pk: int) -> HttpResponse:
    check, person = _person_of_row(
        request, CHECKS, pk, lambda c: c.person_id, for_write=True, purpose="孕前优生"
    )
    form = ResultForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            maternal_actions.preconception_record(
                actor=request.user,
                check=check,
                done_on=data["done_on"],
                result=data["result"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已登记孕前优生健康检查结果。")
            return redirect("population:preconception_detail", check.pk)
    return _page(request, check, person, form=form)
