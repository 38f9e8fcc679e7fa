from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("enter/", views.notice_entry, name="notice_entry"),
]
