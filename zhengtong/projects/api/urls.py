from django.urls import path

from . import views

urlpatterns = [
    path("", views.ProjectListApi.as_view(), name="api_project_list"),
    path("summary/", views.ProjectSummaryApi.as_view(), name="api_project_summary"),
    path("oc4ids/", views.ProjectOc4idsApi.as_view(), name="api_project_oc4ids"),
    path("oc4ids/public/", views.PublicOc4idsApi.as_view(), name="api_project_oc4ids_public"),
    path("<int:pk>/", views.ProjectDetailApi.as_view(), name="api_project_detail"),
    path("<int:pk>/reports/", views.ProgressReportCreateApi.as_view(), name="api_report_create"),
]
