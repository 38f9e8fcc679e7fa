from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zhengtong.reports"
    verbose_name = "报表"
