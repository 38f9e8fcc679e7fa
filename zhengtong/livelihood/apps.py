from django.apps import AppConfig


class LivelihoodConfig(AppConfig):
    name = "zhengtong.livelihood"
    verbose_name = "就业与教育安全"
