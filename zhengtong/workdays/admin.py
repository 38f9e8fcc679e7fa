"""Admin pages for the working-day calendar; every save and delete writes an audit event."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengtong.audit.admin import AuditedModelAdmin

from .actions import deadlines_recompute
from .models import CalendarYear, DeadlineMove, Holiday, Source
from .signals import holidays_loaded


class CalendarAdmin(AuditedModelAdmin):
    """The project's audited admin: bulk deletes all-or-nothing, due dates follow every edit."""

    def changed_years(self, objs) -> set[int]:
        raise NotImplementedError

    def recompute(self, request, years) -> None:
        """In the admin's transaction: every open due date counting days in `years` moves."""
        years = sorted(years)
        if not years:
            return
        changed = deadlines_recompute(years=years, actor=request.user)
        holidays_loaded.send(sender=CalendarYear, years=years, actor=request.user)
        moved = [r for r in changed if r.moved]
        if moved:
            shown = ";".join(
                f"{r.kind} {r.title}:{r.old_on or '—'} → {r.new_on}" for r in moved[:20]
            )
            more = _(",等共 %(n)s 项") % {"n": len(moved)} if len(moved) > 20 else ""
            self.message_user(
                request,
                _("以下期限已按调整后的工作日历重新计算:%(list)s%(more)s。")
                % {"list": shown, "more": more},
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.recompute(request, self.changed_years([obj]))

    def delete_queryset(self, request, queryset):
        # "Delete selected" runs outside the admin's change transaction: all rows and events, or none.
        with transaction.atomic():
            years = self.changed_years(list(queryset))
            super().delete_queryset(request, queryset)
            self.recompute(request, years)


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

    def changed_years(self, objs) -> set[int]:
        official = set(CalendarYear.objects.values_list("year", flat=True))
        return {o.date.year for o in objs} & official

    def save_model(self, request, obj, form, change):
        obj.source = Source.ADMIN
        obj.updated_by = request.user
        old_year = Holiday.objects.filter(pk=obj.pk).values_list("date__year", flat=True).first()
        super().save_model(request, obj, form, change)
        if not CalendarYear.objects.filter(year=obj.date.year).exists():
            self.message_user(
                request,
                _("%(year)s 年尚为暂定年份,该日期在录入该年通知前不会生效。")
                % {"year": obj.date.year},
                messages.WARNING,
            )
        years = self.changed_years([obj])
        if old_year:
            years |= {old_year} & set(CalendarYear.objects.values_list("year", flat=True))
        self.recompute(request, years)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdmin):
    audit_exclude = ("loaded_at",)
    list_display = ["year", "source", "note", "loaded_at"]
    list_filter = ["source"]
    search_fields = ["note"]
    fields = ["year", "source", "note", "loaded_at"]
    readonly_fields = ["source", "loaded_at"]

    def has_add_permission(self, request):
        # A year becomes official from its notice (工作日历 → 录入通知), never as an empty row:
        # a year added before its holidays would be counted Monday to Friday.
        return False

    def changed_years(self, objs) -> set[int]:
        return {o.year for o in objs}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)


@admin.register(DeadlineMove)
class DeadlineMoveAdmin(AuditedModelAdmin):
    list_display = ["kind", "title", "owner", "old_on", "new_on", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    readonly_fields = ["owner", "kind", "title", "url", "old_on", "new_on", "created_at"]

    def has_add_permission(self, request):
        return False
