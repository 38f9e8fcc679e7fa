"""The catalog (items with their materials), posts, leaves and the duty roster, edited by admins.

Cases, ratings and rectifications change only through the actions, so they are not editable
here. Every write made here records an audit event (AuditedModelAdmin).
"""

from django.contrib import admin

from zhengtong.audit.admin import AuditedModelAdmin

from .models import DutyEntry, Leave, Material, Post, ServiceItem


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 1
    fields = ["sort_order", "code", "name", "description", "copies", "condition"]


@admin.register(ServiceItem)
class ServiceItemAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "department", "promised_workdays", "fee", "window", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [MaterialInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "department", "is_active", "sort_order"]}),
        (
            "办理要求",
            {"fields": ["legal_basis", "eligibility", "procedure", "notes", "admin_notes"]},
        ),
        (
            "时限与结果",
            {
                "fields": [
                    "promised_workdays",
                    "legal_workdays",
                    "fee",
                    "window",
                    "certificate_name",
                    "certificate_prefix",
                ]
            },
        ),
    ]


@admin.register(Post)
class PostAdmin(AuditedModelAdmin):
    list_display = ["org_unit", "window", "name", "a_user", "b_user"]
    list_filter = ["org_unit"]
    list_select_related = ["org_unit", "a_user", "b_user"]
    autocomplete_fields = ["a_user", "b_user"]


@admin.register(Leave)
class LeaveAdmin(AuditedModelAdmin):
    list_display = ["user", "start_on", "end_on", "reason", "created_by"]
    list_select_related = ["user", "created_by"]
    date_hierarchy = "start_on"
    autocomplete_fields = ["user"]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DutyEntry)
class DutyEntryAdmin(AuditedModelAdmin):
    list_display = ["day", "post", "user"]
    list_filter = ["post__org_unit"]
    list_select_related = ["post", "user"]
    date_hierarchy = "day"
    autocomplete_fields = ["user"]

    def audit_org_unit(self, obj):
        return obj.post.org_unit if obj.post_id else None
