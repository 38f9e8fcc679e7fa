"""Follow-up pages (views_followups.py), included into the population namespace."""

from django.urls import path

from . import views_followups as views
from . import views_preconception

urlpatterns: list = [
    path("work/", views.worklist, name="worklist"),
    path(
        "persons/<int:person_pk>/followups/new/",
        views.followup_plan_create,
        name="followup_plan_create",
    ),
    path("followups/<int:pk>/", views.followup_detail, name="followup_detail"),
    path("followups/<int:pk>/complete/", views.followup_complete, name="followup_complete"),
    path("followups/<int:pk>/skip/", views.followup_skip, name="followup_skip"),
    path("followups/<int:pk>/stop-plan/", views.followup_plan_stop, name="followup_plan_stop"),
    path(
        "persons/<int:person_pk>/pregnancies/new/",
        views.pregnancy_create,
        name="pregnancy_create",
    ),
    path(
        "persons/<int:person_pk>/preconception/new/",
        views_preconception.preconception_create,
        name="preconception_create",
    ),
    path(
        "preconception/<int:pk>/",
        views_preconception.preconception_detail,
        name="preconception_detail",
    ),
    path(
        "preconception/<int:pk>/result/",
        views_preconception.preconception_record,
        name="preconception_record",
    ),
    path("pregnancies/<int:pk>/", views.pregnancy_detail, name="pregnancy_detail"),
    path("pregnancies/<int:pk>/delivery/", views.pregnancy_delivery, name="pregnancy_delivery"),
    path("pregnancies/<int:pk>/referral/", views.pregnancy_referral, name="pregnancy_referral"),
    path("pregnancies/<int:pk>/visit-done/", views.maternal_visit_done, name="maternal_visit_done"),
    path("contraception/", views.contraception_list, name="contraception_list"),
    path("contraception/<int:pk>/", views.contraception_detail, name="contraception_detail"),
    path(
        "contraception/<int:pk>/receive/",
        views.contraception_receive,
        name="contraception_receive",
    ),
    path("contraception/<int:pk>/verify/", views.contraception_verify, name="contraception_verify"),
]
