from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhengtong.accounts"
    verbose_name = "账号与组织"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.core import checks

        from . import signals
        from .otp import check_required_roles

        checks.register(check_required_roles, "security")
        from .middleware import remember_otp_state

        user_logged_in.connect(signals.record_login, dispatch_uid="accounts_audit_login")
        user_logged_in.connect(remember_otp_state, dispatch_uid="accounts_otp_state")
        user_logged_out.connect(signals.record_logout, dispatch_uid="accounts_audit_logout")
        user_login_failed.connect(
            signals.record_login_failed, dispatch_uid="accounts_audit_login_failed"
        )
        from axes.models import AccessAttempt
        from axes.signals import user_locked_out
        from django.db.models.signals import post_delete

        user_locked_out.connect(signals.record_lockout, dispatch_uid="accounts_audit_lockout")
        post_delete.connect(
            signals.record_lockout_released,
            sender=AccessAttempt,
            dispatch_uid="accounts_audit_lockout_released",
        )
