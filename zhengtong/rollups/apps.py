from django.apps import AppConfig


class RollupsConfig(AppConfig):
    name = "zhengtong.rollups"
    verbose_name = "汇总表"
