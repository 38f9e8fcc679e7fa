"""The public 计生采风 board, no login: /public/caifeng/."""

from django.urls import path

from . import views_weekly as views

app_name = "public_caifeng"
urlpatterns = [
    path("", views.public_weekly_list, name="weekly_list"),
]
