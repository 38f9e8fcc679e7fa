from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "zhengtong.inbox"
    verbose_name = "我的待办"
