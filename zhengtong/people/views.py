"""The household export (PF2): one workbook per household, scoped like the household page."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhengtong.accounts.permissions import role_required
from zhengtong.audit.reads import record_export
from zhengtong.lib.xlsx import xlsx_response
from zhengtong.population.selectors import (
    POPULATION_ROLES,
    get_row_for_user,
    households_visible_to,
)

from .export import household_workbook
from .models import Household


@role_required(*POPULATION_ROLES)
@require_GET
def household_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The household and its members as xlsx; outside the user's villages a 404 (audited)."""
    household = get_row_for_user(
        request.user, households_visible_to(request.user), pk, purpose="导出"
    )
    today = timezone.localdate()
    content, count = household_workbook(household, today)
    name = f"家庭户-{household.address}-{today:%Y%m%d}.xlsx"
    record_export(
        actor=request.user,
        name=name,
        model=Household,
        count=count,
        filters={"household": household.pk},
        org_unit=household.org_unit,
    )
    return xlsx_response(content, name)
