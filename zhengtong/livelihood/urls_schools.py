"""School safety and the unlicensed-kindergarten clean-up.

Included into the "livelihood" namespace by livelihood/urls.py.
"""

from django.urls import path

from . import views_schools as views

urlpatterns = [
    path("schools/", views.school_list, name="school_list"),
    path("schools/new/", views.school_create, name="school_create"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path("schools/<int:pk>/inspect/", views.inspection_create, name="inspection_create"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/notice.pdf", views.inspection_notice, name="inspection_notice"),
    path("inspections/<int:pk>/close/", views.inspection_close, name="inspection_close"),
    path("hazards/<int:pk>/rectify/", views.hazard_rectify, name="hazard_rectify"),
    path("hazards/<int:pk>/verify/", views.hazard_verify, name="hazard_verify"),
    path("kindergartens/", views.kindergarten_campaign_list, name="kindergarten_campaign_list"),
    path(
        "kindergartens/new/",
        views.kindergarten_campaign_create,
        name="kindergarten_campaign_create",
    ),
    path(
        "kindergartens/<int:pk>/",
        views.kindergarten_campaign_detail,
        name="kindergarten_campaign_detail",
    ),
    path("kindergartens/<int:pk>/add/", views.kindergarten_create, name="kindergarten_create"),
    path(
        "kindergartens/<int:pk>/close/",
        views.kindergarten_campaign_close,
        name="kindergarten_campaign_close",
    ),
    path(
        "kindergartens/entries/<int:pk>/dispose/",
        views.kindergarten_dispose,
        name="kindergarten_dispose",
    ),
]
