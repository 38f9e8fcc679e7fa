from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "zhengtong.projects"
    verbose_name = "重点项目"
