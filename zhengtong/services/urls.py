"""Staff pages of the one-stop service hall, mounted at /services/."""

from django.urls import path

from . import online_views, views

app_name = "services"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("new/service-notice.pdf", views.service_notice_preview_pdf, name="service_notice_preview"),
    path("leave/", views.leave_list, name="leave_list"),
    path("leave/new/", views.leave_create, name="leave_create"),
    path("duty/", views.duty_roster, name="duty_roster"),
    path("duty/<int:pk>/remove/", views.duty_remove, name="duty_remove"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path(
        "rectifications/<int:pk>/close/",
        views.rectification_close,
        name="rectification_close",
    ),
    path("online/", online_views.online_queue, name="online_queue"),
    path("online/<int:pk>/", online_views.online_detail, name="online_detail"),
    path("online/<int:pk>/take/", online_views.online_take_view, name="online_take"),
    path("online/<int:pk>/decline/", online_views.online_decline_view, name="online_decline"),
    path("<str:receipt_no>/", views.application_detail, name="application_detail"),
    path(
        "<str:receipt_no>/deliveries/new/",
        views.notice_delivery_create,
        name="notice_delivery_create",
    ),
    path(
        "<str:receipt_no>/supplement/",
        views.application_supplement,
        name="application_supplement",
    ),
    path(
        "<str:receipt_no>/correction/",
        views.application_request_correction,
        name="application_request_correction",
    ),
    path("<str:receipt_no>/handover/", views.application_handover, name="application_handover"),
    path("<str:receipt_no>/approve/", views.application_approve, name="application_approve"),
    path("<str:receipt_no>/refuse/", views.application_refuse, name="application_refuse"),
    path("<str:receipt_no>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path(
        "<str:receipt_no>/sms-optout/",
        views.application_sms_optout,
        name="application_sms_optout",
    ),
    path("<str:receipt_no>/notices/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path(
        "<str:receipt_no>/service-notice.pdf",
        views.service_notice_pdf,
        name="service_notice_pdf",
    ),
    path("<str:receipt_no>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("<str:receipt_no>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
]
