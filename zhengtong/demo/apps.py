from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhengtong.demo"
    verbose_name = "演示数据"
