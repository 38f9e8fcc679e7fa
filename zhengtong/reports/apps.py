from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zhengtong.reports"
    verbose_name = "工作简报与综合驾驶舱"
