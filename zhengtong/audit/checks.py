"""System checks: the server does not start without a real audit key in production."""

from django.conf import settings
from django.core import checks

from .sealing import AuditKeyError, load_keyring


@checks.register(checks.Tags.security)
def audit_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """audit.E001: no key and the development key not allowed; audit.E002: a key is wrong."""
    try:
        load_keyring()
    except AuditKeyError as exc:
        missing = not (settings.AUDIT_HMAC_KEY or settings.AUDIT_HMAC_KEY_FILE)
        return [
            checks.Error(
                str(exc),
                hint="python manage.py audit_key generate",
                id="audit.E001" if missing else "audit.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def audit_dev_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """audit.W001 (`check --deploy`): the development key is in use."""
    try:
        ring = load_keyring()
    except AuditKeyError:
        return []  # audit.E001/E002 already say so
    if ring.is_dev:
        return [
            checks.Warning(
                "审计链正在使用由 SECRET_KEY 派生的开发密钥,只可用于开发、演示和测试。"
                "/ The audit chain is sealed with the development key derived from SECRET_KEY: "
                "for development, demos and tests only.",
                hint="python manage.py audit_key generate",
                id="audit.W001",
            )
        ]
    return []
