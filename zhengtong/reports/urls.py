"""The leaders' cockpit and the work report: /reports/…"""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("cockpit/", views.cockpit, name="cockpit"),
    path("cockpit/data/", views.cockpit_data, name="cockpit_data"),
    path("work-report/", views.work_report, name="work_report"),
    path("work-report/pdf/", views.work_report_pdf, name="work_report_pdf"),
    path("work-report/text/", views.work_report_text, name="work_report_text"),
    path("files/<int:pk>/", views.report_file, name="report_file"),
    path("files/<int:pk>/retry/", views.report_file_retry, name="report_file_retry"),
    path("files/<int:pk>/download/", views.report_file_download, name="report_file_download"),
]
