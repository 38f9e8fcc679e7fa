"""Admin pages for the key-project tables. Every write through them lands in the audit log."""

from django.contrib import admin

from zhengtong.audit.admin import AuditedModelAdmin

from .models import (
    Disbursement,
    Fund,
    FundAllocation,
    KeyProject,
    ListEntry,
    Milestone,
    Problem,
    ProgressPhoto,
    ProgressReport,
    ProjectLeader,
    ProjectList,
    Sector,
    WorkQuantity,
    WorkTarget,
)


class ProjectScopedAdmin(AuditedModelAdmin):
    """Rows that belong to a project carry the project's unit into the log."""

    def audit_org_unit(self, obj):
        project = getattr(obj, "project", None)
        return project.org_unit if project is not None else None


@admin.register(Sector)
class SectorAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "plate", "oc4ids_sector", "sort_order"]
    list_filter = ["plate"]


class ProjectLeaderInline(admin.TabularInline):
    model = ProjectLeader
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(KeyProject)
class KeyProjectAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "year", "stage", "category", "org_unit", "is_example"]
    list_filter = ["year", "stage", "category", "sector", "is_example"]
    search_fields = ["code", "name"]
    list_select_related = ["org_unit"]
    inlines = [ProjectLeaderInline]


class ListEntryInline(admin.TabularInline):
    model = ListEntry
    extra = 0
    raw_id_fields = ["project"]
    fields = ["position", "project", "origin", "annual_plan", "remaining_investment"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_approved

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(ProjectList)
class ProjectListAdmin(AuditedModelAdmin):
    """An approved list is frozen here too: it changes only through the register's actions."""

    list_display = ["year", "title", "status", "approved_by", "approved_at", "is_example"]
    list_filter = ["status", "is_example"]
    readonly_fields = ["status", "approved_by", "approved_at", "carried_from"]
    inlines = [ListEntryInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ProgressReport)
class ProgressReportAdmin(ProjectScopedAdmin):
    list_display = ["project", "month", "investment", "physical_progress", "submitted_by"]
    list_filter = ["month"]
    search_fields = ["project__name", "project__code"]
    list_select_related = ["project", "submitted_by"]
    raw_id_fields = ["project"]


@admin.register(ProgressPhoto)
class ProgressPhotoAdmin(AuditedModelAdmin):
    list_display = ["report", "caption", "sha256", "created_at"]
    raw_id_fields = ["report"]

    def audit_org_unit(self, obj):
        return obj.report.project.org_unit


@admin.register(Milestone)
class MilestoneAdmin(ProjectScopedAdmin):
    list_display = ["project", "code", "due_on", "met_on", "status"]
    list_filter = ["code", "status"]
    search_fields = ["project__name"]
    raw_id_fields = ["project"]


@admin.register(Problem)
class ProblemAdmin(ProjectScopedAdmin):
    list_display = ["title", "project", "owning_unit", "due_on", "status", "escalated_at"]
    list_filter = ["status"]
    search_fields = ["title", "project__name"]
    list_select_related = ["project", "owning_unit"]
    raw_id_fields = ["project"]


@admin.register(Fund)
class FundAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "budget", "is_example"]


@admin.register(FundAllocation)
class FundAllocationAdmin(ProjectScopedAdmin):
    list_display = ["fund", "project", "amount", "decided_on"]
    list_filter = ["fund"]
    raw_id_fields = ["project"]


@admin.register(Disbursement)
class DisbursementAdmin(AuditedModelAdmin):
    list_display = ["allocation", "amount", "paid_on", "voucher_no"]
    raw_id_fields = ["allocation"]

    def audit_org_unit(self, obj):
        return obj.allocation.project.org_unit


@admin.register(WorkTarget)
class WorkTargetAdmin(ProjectScopedAdmin):
    list_display = ["project", "measure", "planned_quantity"]
    list_filter = ["measure"]
    raw_id_fields = ["project"]


@admin.register(WorkQuantity)
class WorkQuantityAdmin(AuditedModelAdmin):
    list_display = ["target", "recorded_on", "quantity"]
    raw_id_fields = ["target"]

    def audit_org_unit(self, obj):
        return obj.target.project.org_unit
