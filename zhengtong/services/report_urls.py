"""Office reports of the service hall: /services/reports/…"""

from django.urls import path

from . import report_views as views

app_name = "service_reports"

urlpatterns = [
    path("weekly/", views.weekly, name="weekly"),
    path("weekly/pdf/", views.weekly_pdf, name="weekly_pdf"),
    path("ranking/", views.ranking, name="ranking"),
    path("ratings/", views.ratings, name="ratings"),
]
