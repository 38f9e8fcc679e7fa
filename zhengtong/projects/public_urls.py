from django.urls import path

from . import public

app_name = "public_projects"
urlpatterns = [
    path("", public.project_public_list, name="project_list"),
    path("<str:code>/", public.project_public_detail, name="project_detail"),
]
