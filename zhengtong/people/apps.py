from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zhengtong.people"
    verbose_name = "人员信息"
