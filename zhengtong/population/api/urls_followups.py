"""Maternal schedule endpoints under /api/v1/population/."""

from django.urls import path

from . import views_followups as views

urlpatterns: list = [
    path("pregnancies/", views.PregnancyCreateApi.as_view(), name="api_pregnancy_create"),
    path(
        "pregnancies/<int:pk>/delivery/",
        views.PregnancyDeliveryApi.as_view(),
        name="api_pregnancy_delivery",
    ),
]
