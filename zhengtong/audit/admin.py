"""Admin pages write the audit log like every other door; the log itself is read-only here.

`AuditedModelAdmin` is the base class for every model admin of the project: each create,
update and delete made through the admin (including inline rows and bulk deletes) records one
event with the values before and after. Fields named in `audit_exclude` (passwords) never reach
the log.
"""

from django.contrib import admin
from django.db import models

from .actions import diff, record_event, snapshot
from .models import Event
from .selectors import can_read_audit_log, events_visible_to

ADMIN_ADD = "admin_add"
ADMIN_CHANGE = "admin_change"
ADMIN_DELETE = "admin_delete"

# Never written to the log, whatever the model: secrets and bookkeeping Django updates itself.
ALWAYS_EXCLUDED = ("password", "last_login")


def audit_fields(obj: models.Model, exclude=()) -> list[str]:
    return [
        f.name
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in ALWAYS_EXCLUDED and f.name not in exclude
    ]


def audit_snapshot(obj: models.Model, exclude=()) -> dict:
    """Concrete fields plus many-to-many fields (as sorted names) of a saved object."""
    data = snapshot(obj, audit_fields(obj, exclude))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            if field.name in ALWAYS_EXCLUDED or field.name in exclude:
                continue
            data[field.name] = sorted(str(o) for o in getattr(obj, field.name).all())
    return data


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every write records an audit event in the admin's transaction."""

    audit_exclude: tuple[str, ...] = ()

    def audit_org_unit(self, obj: models.Model):
        """The org unit the event belongs to, which decides which auditors see it."""
        return getattr(obj, "org_unit", None)

    def _db_snapshot(self, obj: models.Model) -> dict:
        # The form has already copied the new values onto `obj`; the old ones are in the database.
        current = type(obj)._default_manager.filter(pk=obj.pk).first()
        return audit_snapshot(current, self.audit_exclude) if current is not None else {}

    def _record(self, request, obj, *, kind, action, before, after, org_unit=None, target_id=""):
        changes = diff(before, after)
        if kind == Event.Kind.UPDATE and not changes:
            return None
        return record_event(
            actor=request.user,
            action=action,
            kind=kind,
            target=obj if obj.pk is not None else None,
            target_type=obj._meta.label_lower,
            target_id=target_id or str(obj.pk),
            target_repr=str(obj)[:200],
            changes=changes,
            org_unit=org_unit if org_unit is not None else self.audit_org_unit(obj),
        )

    # Create and update: remember the old values in save_model and record the event in
    # save_related, once the many-to-many fields are saved too (the admin always calls both).
    def save_model(self, request, obj, form, change):
        before = self._db_snapshot(obj) if change and obj.pk is not None else {}
        super().save_model(request, obj, form, change)
        pending = request.__dict__.setdefault("_audit_pending", {})
        pending[(obj._meta.label_lower, obj.pk)] = (before, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        pending = request.__dict__.get("_audit_pending", {})
        before, was_change = pending.pop((obj._meta.label_lower, obj.pk), (None, change))
        if before is None:
            return
        self._record(
            request,
            obj,
            kind=Event.Kind.UPDATE if was_change else Event.Kind.CREATE,
            action=ADMIN_CHANGE if was_change else ADMIN_ADD,
            before=before,
            after=audit_snapshot(obj, self.audit_exclude),
        )

    def _record_delete(self, request, obj, before, pk):
        self._record(
            request,
            obj,
            kind=Event.Kind.DELETE,
            action=ADMIN_DELETE,
            before=before,
            after={},
            org_unit=self.audit_org_unit_after_delete(obj),
            target_id=str(pk),
        )

    def audit_org_unit_after_delete(self, obj: models.Model):
        return self.audit_org_unit(obj)

    def delete_model(self, request, obj):
        before, pk = audit_snapshot(obj, self.audit_exclude), obj.pk
        super().delete_model(request, obj)
        self._record_delete(request, obj, before, pk)

    def delete_queryset(self, request, queryset):
        rows = [(obj, audit_snapshot(obj, self.audit_exclude), obj.pk) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, before, pk in rows:
            self._record_delete(request, obj, before, pk)

    def save_formset(self, request, form, formset, change):
        """Inline rows: one event per added, changed or deleted row."""
        exclude = getattr(formset, "audit_exclude", ())
        model = formset.model
        pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        old = {o.pk: audit_snapshot(o, exclude) for o in model._default_manager.filter(pk__in=pks)}
        # Deleting a row clears its pk, so remember it by object identity.
        initial_pks = {id(f.instance): f.instance.pk for f in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._record(
                request,
                obj,
                kind=Event.Kind.CREATE,
                action=ADMIN_ADD,
                before={},
                after=audit_snapshot(obj, exclude),
                org_unit=getattr(obj, "org_unit", None),
            )
        for obj, _fields in formset.changed_objects:
            self._record(
                request,
                obj,
                kind=Event.Kind.UPDATE,
                action=ADMIN_CHANGE,
                before=old.get(obj.pk, {}),
                after=audit_snapshot(obj, exclude),
                org_unit=getattr(obj, "org_unit", None),
            )
        for obj in formset.deleted_objects:
            pk = initial_pks.get(id(obj), obj.pk)
            self._record(
                request,
                obj,
                kind=Event.Kind.DELETE,
                action=ADMIN_DELETE,
                before=old.get(pk, {}),
                after={},
                org_unit=getattr(obj, "org_unit", None),
                target_id=str(pk),
            )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included; auditors see their own scope only."""

    list_display = [
        "created_at",
        "actor_label",
        "kind",
        "action",
        "target_type",
        "target_repr",
        "ip",
    ]
    list_filter = ["kind", "channel"]
    search_fields = ["actor_label", "action", "target_type", "target_id", "target_repr"]
    date_hierarchy = "created_at"
    list_select_related = ["org_unit"]

    def get_queryset(self, request):
        return events_visible_to(request.user)

    def has_module_permission(self, request):
        return can_read_audit_log(request.user)

    def has_view_permission(self, request, obj=None):
        return can_read_audit_log(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
