from django.urls import include, path

from . import views

app_name = "welfare"
urlpatterns = [
    path("", views.index, name="index"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("status/", views.status_list, name="status_list"),
    path("status/edit/", views.status_edit, name="status_edit"),
    path("eligibility/", views.eligibility_check, name="eligibility_check"),
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/approve/", views.cycle_approve, name="cycle_approve"),
    path("cycles/<int:pk>/payments/", views.payment_add, name="payment_add"),
    path(
        "cycles/<int:pk>/payments/<int:payment_pk>/remove/",
        views.payment_remove,
        name="payment_remove",
    ),
    path("census/", views.census_list, name="census_list"),
    path("census/<int:pk>/", views.census_detail, name="census_detail"),
    path("relief/", views.batch_list, name="batch_list"),
    path("relief/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("relief/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("relief/<int:pk>/grants/", views.grant_add, name="grant_add"),
    path("relief/<int:pk>/grants/<int:grant_pk>/remove/", views.grant_remove, name="grant_remove"),
    # The 救助身份 import (views_imports.py).
    path("", include("zhengtong.welfare.urls_imports")),
]
