"""The person registry in the admin: scoped like every other door, ID numbers masked in lists.

A system administrator without a role that sees residents sees no one here (see accounts.scope).
Sex and birth date are derived from the ID number, never typed in.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError

from zhengtong.accounts.models import Role
from zhengtong.accounts.scope import scope
from zhengtong.audit.admin import AuditedModelAdmin
from zhengtong.lib.encrypted import match
from zhengtong.lib.idcard import parse_id_number
from zhengtong.lib.idquery import looks_like_id_number

from .models import Household, HouseholdMember, Person

PERSON_ROLES = [Role.WINDOW_CLERK, Role.VILLAGE_WORKER]


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ["name", "masked_id", "sex", "birth_date", "masked_phone", "org_unit"]
    list_select_related = ["org_unit"]
    # A full ID number is found by its blind index (get_search_results), a name by contains.
    search_fields = ["name"]
    readonly_fields = ["sex", "birth_date"]
    fields = [
        "id_number",
        "name",
        "sex",
        "birth_date",
        "phone",
        "org_unit",
        "hukou_address",
        "current_address",
        "marital_status",
    ]

    @admin.display(description="公民身份号码")
    def masked_id(self, obj: Person) -> str:
        return obj.masked_id

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, PERSON_ROLES)

    def get_search_results(self, request, queryset, search_term):
        if looks_like_id_number(search_term):
            return match(queryset, "id_number", search_term), False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        # The ID number identifies the person; a wrong one means a new record, not an edit.
        if obj is not None:
            return [*self.readonly_fields, "id_number"]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "id_number" in form.base_fields:
            original = form.clean

            def clean(self):
                data = original(self)
                if data.get("id_number"):
                    try:
                        parsed = parse_id_number(data["id_number"])
                    except ValidationError as exc:
                        self.add_error("id_number", exc)
                    else:
                        data["id_number"] = parsed.number
                        if match(Person.objects.all(), "id_number", parsed.number).exists():
                            self.add_error("id_number", "该身份证号码已登记,不能重复登记。")
                        self.instance.sex = parsed.sex
                        self.instance.birth_date = parsed.birth_date
                return data

            form.clean = clean
        return form


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    fields = ["person", "relation"]
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Household)
class HouseholdAdmin(AuditedModelAdmin):
    """Households of the user's villages; members are added on the population pages, where the
    one-household-per-person rule and the audit live."""

    list_display = ["address", "org_unit", "special_family"]
    list_select_related = ["org_unit"]
    list_filter = ["special_family"]
    inlines = [HouseholdMemberInline]

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, [Role.VILLAGE_WORKER])

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
