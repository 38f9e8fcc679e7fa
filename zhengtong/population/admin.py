"""Population rows in the admin, scoped like every other door (village workers see their own
villages; a system administrator without that role sees none). Changes go through the pages and
their actions; here the rows are for lookup, so they are read-only."""

from django.contrib import admin

from zhengtong.accounts.scope import scope_q
from zhengtong.audit.admin import AuditedModelAdmin

from .models import FloatingRecord, MarriageCertificate, Transfer
from .selectors import POPULATION_ROLES, rows_visible_to


class ReadOnlyScopedAdmin(AuditedModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CertificateInline(admin.StackedInline):
    model = MarriageCertificate
    exclude = ["id_number"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FloatingRecord)
class FloatingRecordAdmin(ReadOnlyScopedAdmin):
    list_display = ["person", "direction", "place", "started_on", "ended_on", "org_unit"]
    list_filter = ["direction"]
    list_select_related = ["person", "org_unit"]
    exclude = ["contact_phone"]
    inlines = [CertificateInline]

    def get_queryset(self, request):
        return rows_visible_to(request.user, super().get_queryset(request))


@admin.register(Transfer)
class TransferAdmin(ReadOnlyScopedAdmin):
    list_display = ["person", "from_unit", "to_unit", "transferred_at", "transferred_by"]
    list_select_related = ["person", "from_unit", "to_unit", "transferred_by"]

    def get_queryset(self, request):
        user = request.user
        q = scope_q(user, POPULATION_ROLES, via="from_unit") | scope_q(
            user, POPULATION_ROLES, via="to_unit"
        )
        return super().get_queryset(request).filter(q)
