from django.urls import path

from . import views

urlpatterns = [
    path("items/", views.ItemListApi.as_view(), name="api_service_items"),
    path("applications/", views.ApplicationCreateApi.as_view(), name="api_application_create"),
    path(
        "applications/<str:receipt_no>/",
        views.ApplicationDetailApi.as_view(),
        name="api_application_detail",
    ),
    path("lookup/", views.LookupApi.as_view(), name="api_service_lookup"),
]
