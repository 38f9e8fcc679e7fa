from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "zhengtong.services"
    verbose_name = "一站式服务"
