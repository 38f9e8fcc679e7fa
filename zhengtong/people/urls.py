from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("households/<int:pk>/export/", views.household_export, name="household_export"),
]
