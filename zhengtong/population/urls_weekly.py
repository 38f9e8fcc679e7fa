"""计生采风 staff pages; included into the "population" namespace by population/urls.py."""

from django.urls import path

from . import views_weekly as views

urlpatterns = [
    path("caifeng/", views.weekly_list, name="weekly_list"),
    path("caifeng/new/", views.weekly_create, name="weekly_create"),
    path("caifeng/<int:pk>/", views.weekly_detail, name="weekly_detail"),
    path("caifeng/<int:pk>/edit/", views.weekly_edit, name="weekly_edit"),
    path("caifeng/<int:pk>/submit/", views.weekly_submit, name="weekly_submit"),
    path("caifeng/<int:pk>/approve/", views.weekly_approve, name="weekly_approve"),
    path("caifeng/<int:pk>/return/", views.weekly_return, name="weekly_return"),
]
