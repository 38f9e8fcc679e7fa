"""Admin for the org-unit tree, users and memberships. Every change is audited."""

from typing import cast

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengtong.audit.actions import record_event
from zhengtong.audit.admin import AuditedModelAdmin
from zhengtong.audit.models import Event

from .models import ApiToken, Membership, OrgUnit, User
from .otp import otp_reset


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedModelAdmin):
    list_display = ["indented_name", "code", "kind", "parent", "otp_required"]
    list_filter = ["kind", "otp_required"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    list_select_related = ["parent"]
    ordering = ["path"]

    @admin.display(description=_("名称"), ordering="path")
    def indented_name(self, obj: OrgUnit) -> str:
        # "/3/7/12/" lies two levels below the root.
        depth = max(obj.path.count("/") - 2, 0)
        return format_html(
            '<span style="padding-left: {}em">{}{}</span>', depth * 1.5, "└ " if depth else "", obj
        )

    def audit_org_unit(self, obj: models.Model):
        return obj

    def audit_org_unit_after_delete(self, obj: models.Model):
        return cast(OrgUnit, obj).parent


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["org_unit"]
    verbose_name = _("任职")
    verbose_name_plural = _("任职(角色与单位)")


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "post", "phone", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["username", "full_name", "staff_no", "phone"]
    ordering = ["username"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "staff_no", "post", "phone", "email", "photo")}),
        (
            _("权限"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _("停用账号请取消“有效”,不要删除:审计记录仍指向该账号。"),
            },
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reset_second_factor"]

    @admin.action(description=_("重置两步验证(手机丢失或更换)"))
    def reset_second_factor(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                otp_reset(user=user, actor=request.user)
        self.message_user(
            request,
            gettext("已重置 %(n)d 个账号的两步验证,他们下次登录时须重新绑定。")
            % {"n": len(queryset)},
        )

    def user_change_password(self, request, id, form_url=""):
        """Record that an administrator set a password, without recording the password."""
        with transaction.atomic():
            user = self.get_object(request, id)
            old_hash = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None and request.method == "POST":
                user.refresh_from_db(fields=["password"])
                if user.password != old_hash:
                    record_event(
                        actor=request.user,
                        action="admin_password_change",
                        kind=Event.Kind.UPDATE,
                        target=user,
                        reason=gettext("管理员重设密码"),
                    )
            return response


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "role", "org_unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["user", "org_unit"]
    list_select_related = ["user", "org_unit"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Administrators see and revoke tokens; nobody makes one here (it would be shown to them)."""

    list_display = ["name", "user", "prefix", "scope", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    audit_exclude = ("token_hash",)
    fields = [
        "user",
        "name",
        "prefix",
        "scope",
        "modules",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["user", "name", "prefix", "scope", "modules", "expires_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def audit_org_unit(self, obj):
        return None


# The second-factor devices are managed through their users (the reset action above), so their
# secrets never appear on an admin page.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Third-party admins come back on the audited base, so every add, change and delete through the
# admin (bulk "delete selected" included) writes an event. Deleting an access attempt unlocks a
# username+IP pair; deleting an access log erases evidence: both are decisions to audit.
for _model in (AccessAttempt, AccessLog, AccessFailureLog, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AuditedModelAdmin, AccessAttemptAdmin):
    audit_exclude = ("get_data", "post_data", "http_accept", "user_agent")


@admin.register(AccessLog)
class AuditedAccessLogAdmin(AuditedModelAdmin, AccessLogAdmin):
    audit_exclude = ("http_accept", "user_agent")


@admin.register(AccessFailureLog)
class AuditedAccessFailureLogAdmin(AuditedModelAdmin, AccessFailureLogAdmin):
    audit_exclude = ("get_data", "post_data", "http_accept", "user_agent")


@admin.register(Group)
class AuditedGroupAdmin(AuditedModelAdmin, DjangoGroupAdmin):
    pass


def admin_login(request, extra_context=None):
    """The admin signs in through the one login page, with its limits and second factor."""
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.GET.get("next") or "/admin/", "accounts:login")


# The default site is an instance made by Django; its login view is replaced on it.
admin.site.login = admin_login  # type: ignore[method-assign]
