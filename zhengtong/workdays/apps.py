from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "zhengtong.workdays"
    verbose_name = "工作日历"
