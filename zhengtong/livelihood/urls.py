from django.urls import include, path

from . import views, views_insurance

app_name = "livelihood"
urlpatterns = [
    path("", views.index, name="index"),
    path("employment/", views.employment_list, name="employment_list"),
    path("employment/new/", views.employment_create, name="employment_create"),
    path("employment/<int:pk>/", views.employment_detail, name="employment_detail"),
    path("unemployment/", views.unemployment_list, name="unemployment_list"),
    path("unemployment/new/", views.unemployment_create, name="unemployment_create"),
    path("insurance/", views_insurance.insurance_list, name="insurance_list"),
    path("insurance/new/", views_insurance.insurance_record, name="insurance_record"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/new/", views.loan_create, name="loan_create"),
    path("loans/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("loans/<int:pk>/approve/", views.loan_approve, name="loan_approve"),
    path("loans/<int:pk>/reject/", views.loan_reject, name="loan_reject"),
    path("loans/<int:pk>/disburse/", views.loan_disburse, name="loan_disburse"),
    path("loans/<int:pk>/repay/", views.loan_repay, name="loan_repay"),
    path("loans/<int:pk>/close/", views.loan_close, name="loan_close"),
    path("internships/", views.internship_list, name="internship_list"),
    path("internships/new/", views.internship_create, name="internship_create"),
    path("internships/<int:pk>/", views.internship_detail, name="internship_detail"),
    path("training/", views.training_list, name="training_list"),
    path("training/new/", views.training_create, name="training_create"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("training/<int:pk>/edit/", views.training_update, name="training_update"),
    path("trainees/<int:pk>/", views.trainee_update, name="trainee_update"),
    # School safety and the kindergarten clean-up (the schools colleague's pages).
    path("", include("zhengtong.livelihood.urls_schools")),
    # The 就业登记 import (views_imports.py).
    path("", include("zhengtong.livelihood.urls_imports")),
]
