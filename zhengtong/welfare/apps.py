from django.apps import AppConfig


class WelfareConfig(AppConfig):
    name = "zhengtong.welfare"
    verbose_name = "养老护理补贴与救助"
