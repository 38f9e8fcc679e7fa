from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "zhengtong.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from .sms import checks  # noqa: F401  (registers the SMS configuration check)
