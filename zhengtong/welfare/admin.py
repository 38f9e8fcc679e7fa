from django.contrib import admin

from zhengtong.audit.admin import AuditedModelAdmin

from .models import AssessmentScale


@admin.register(AssessmentScale)
class AssessmentScaleAdmin(AuditedModelAdmin):
    """Scales are reference data; personal welfare rows are kept through the 民政 pages only."""

    list_display = ["code", "name", "active", "verified"]

    def get_readonly_fields(self, request, obj=None):
        # Assessments point at a scale by its code's row; a new version is a new row.
        return ["code"] if obj else []
