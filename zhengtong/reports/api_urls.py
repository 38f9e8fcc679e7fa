"""The livelihood REST endpoints, mounted at /api/v1/livelihood/."""

from django.urls import path

from .api import LivelihoodSummaryApi

urlpatterns = [
    path("summary/", LivelihoodSummaryApi.as_view(), name="livelihood_summary_api"),
]
