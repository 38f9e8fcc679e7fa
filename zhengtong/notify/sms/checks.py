"""System checks: a wrong SMS configuration stops `manage.py check` and the server's start,
instead of failing message after message in the outbox."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .base import get_backend
from .console import FileBackend


@checks.register()
def sms_backend_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """notify.E001: SMS_BACKEND cannot be loaded; notify.E002: its settings are incomplete."""
    try:
        backend = get_backend()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="见 .env.example 的 SMS_BACKEND。", id="notify.E001")]
    return [
        checks.Error(
            f"短信通道 {backend.label}:{problem}",
            hint="见 .env.example 的 SMS_* 设置。",
            id="notify.E002",
        )
        for problem in backend.configuration_problems()
    ]


@checks.register(deploy=True)
def sms_dev_backend_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """notify.W001 (`check --deploy`): messages go to a file, nobody receives them."""
    try:
        backend = get_backend()
    except ImproperlyConfigured:
        return []  # notify.E001 already says so
    if isinstance(backend, FileBackend):
        return [
            checks.Warning(
                f"短信只写入开发用文件 {settings.SMS_FILE_PATH},不会发给任何人。"
                "/ SMS go to a development file only.",
                hint="SMS_BACKEND=zhengtong.notify.sms.aliyun.AliyunBackend 或 "
                "zhengtong.notify.sms.tencent.TencentBackend",
                id="notify.W001",
            )
        ]
    return []
