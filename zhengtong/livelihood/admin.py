"""Livelihood rows in the admin, for lookup only: scoped like the pages, read-only, because
every change goes through the actions (limits, locks and one audit event each)."""

from django.contrib import admin

from zhengtong.audit.admin import AuditedModelAdmin

from .models import (
    CleanupCampaign,
    EmploymentRecord,
    Inspection,
    InternshipBase,
    Loan,
    LoanDisbursement,
    School,
    Trainee,
    TrainingClass,
    UnemploymentFigure,
)
from .selectors import livelihood_rows_visible_to


class ReadOnlyScopedAdmin(AuditedModelAdmin):
    def get_queryset(self, request):
        return livelihood_rows_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EmploymentRecord)
class EmploymentRecordAdmin(ReadOnlyScopedAdmin):
    list_display = ["person", "kind", "employed_on", "employer", "org_unit"]
    list_filter = ["kind"]
    list_select_related = ["person", "org_unit"]
    date_hierarchy = "employed_on"


@admin.register(UnemploymentFigure)
class UnemploymentFigureAdmin(ReadOnlyScopedAdmin):
    list_display = ["period", "registered_unemployed", "labour_force", "org_unit"]
    list_select_related = ["org_unit"]


class DisbursementInline(ReadOnlyInline):
    model = LoanDisbursement

    fields = ["amount", "paid_on"]


@admin.register(Loan)
class LoanAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "borrower",
        "business",
        "amount_requested",
        "amount_approved",
        "status",
        "next_step_due_on",
    ]
    list_filter = ["status"]
    list_select_related = ["borrower"]
    inlines = [DisbursementInline]


@admin.register(InternshipBase)
class InternshipBaseAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "employer", "level", "positions", "applied_on", "status"]
    list_filter = ["status"]


class TraineeInline(ReadOnlyInline):
    model = Trainee

    fields = ["person", "attended_sessions", "completed"]


@admin.register(TrainingClass)
class TrainingClassAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "kind", "start_on", "end_on", "sessions"]
    list_filter = ["kind"]
    inlines = [TraineeInline]


@admin.register(School)
class SchoolAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "kind", "principal", "org_unit"]
    list_filter = ["kind"]
    list_select_related = ["org_unit"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyScopedAdmin):
    list_display = ["school", "inspected_on", "status", "closed_on"]
    list_filter = ["status"]
    list_select_related = ["school"]


@admin.register(CleanupCampaign)
class CleanupCampaignAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "started_on", "closed_on"]
