"""Admin pages for the working-day calendar; every save and delete writes an audit event."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.audit.admin import AuditedModelAdmin

from .models import CalendarYear, Holiday, Source
from .signals import holidays_loaded


class CalendarAdmin(AuditedModelAdmin):
    """The project's audited admin, with bulk deletes made all-or-nothing."""

    def delete_queryset(self, request, queryset):
        # "Delete selected" runs outside the admin's change transaction: all rows and events, or none.
        with transaction.atomic():
            super().delete_queryset(request, queryset)


class HolidayYearFilter(admin.SimpleListFilter):
    title = gettext_lazy("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarYear.objects.order_by("-year").values_list("year", flat=True)
        return [(str(y), _("%(year)s 年") % {"year": y}) for y in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(Holiday)
class HolidayAdmin(CalendarAdmin):
    audit_exclude = ("updated_at",)
    list_display = ["date", "weekday", "is_workday", "name", "source", "updated_by", "updated_at"]
    list_filter = [HolidayYearFilter, "is_workday", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "is_workday", "name", "source", "updated_by", "updated_at"]
    readonly_fields = ["source", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]
    list_per_page = 100

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        obj.source = Source.ADMIN
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if not CalendarYear.objects.filter(year=obj.date.year).exists():
            self.message_user(
                request,
                _("%(year)s 年尚未列入已维护年份,该年的日期在添加年份前不会生效。")
                % {"year": obj.date.year},
                messages.WARNING,
            )


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdmin):
    audit_exclude = ("loaded_at",)
    list_display = ["year", "source", "note", "loaded_at"]
    list_filter = ["source"]
    search_fields = ["note"]
    fields = ["year", "source", "note", "loaded_at"]
    readonly_fields = ["source", "loaded_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = Source.ADMIN
        super().save_model(request, obj, form, change)
        # Cases waiting for this year's calendar can now get their due dates.
        holidays_loaded.send(sender=CalendarYear, years=[obj.year], actor=request.user)
