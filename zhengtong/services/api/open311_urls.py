from django.urls import path

from . import open311

urlpatterns = [
    path("services.json", open311.ServicesApi.as_view(), name="open311_services"),
    path("requests.json", open311.RequestsApi.as_view(), name="open311_requests"),
]
