from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "zhengtong.population"
    verbose_name = "流动人口与随访"
