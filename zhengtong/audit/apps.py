from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhengtong.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the key check)
        from .sealing import require_sm3

        # Without SM3 no row can be sealed or verified: refuse to start at all.
        require_sm3()
