"""School safety and the unlicensed-kindergarten clean-up: the register, inspections and hazards,
the clean-up campaigns (one views module each).

Included into the "livelihood" namespace by livelihood/urls.py.
"""

from django.urls import path

from . import views_inspections as inspections
from . import views_kindergartens as kindergartens
from . import views_schools as schools

urlpatterns = [
    path("schools/", schools.school_list, name="school_list"),
    path("schools/new/", schools.school_create, name="school_create"),
    path("schools/<int:pk>/", schools.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", schools.school_edit, name="school_edit"),
    path("schools/<int:pk>/inspect/", inspections.inspection_create, name="inspection_create"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path(
        "inspections/<int:pk>/notice.pdf", inspections.inspection_notice, name="inspection_notice"
    ),
    path("inspections/<int:pk>/close/", inspections.inspection_close, name="inspection_close"),
    path("hazards/<int:pk>/rectify/", inspections.hazard_rectify, name="hazard_rectify"),
    path("hazards/<int:pk>/verify/", inspections.hazard_verify, name="hazard_verify"),
    path(
        "kindergartens/",
        kindergartens.kindergarten_campaign_list,
        name="kindergarten_campaign_list",
    ),
    path(
        "kindergartens/new/",
        kindergartens.kindergarten_campaign_create,
        name="kindergarten_campaign_create",
    ),
    path(
        "kindergartens/<int:pk>/",
        kindergartens.kindergarten_campaign_detail,
        name="kindergarten_campaign_detail",
    ),
    path(
        "kindergartens/<int:pk>/add/", kindergartens.kindergarten_create, name="kindergarten_create"
    ),
    path(
        "kindergartens/<int:pk>/close/",
        kindergartens.kindergarten_campaign_close,
        name="kindergarten_campaign_close",
    ),
    path(
        "kindergartens/entries/<int:pk>/dispose/",
        kindergartens.kindergarten_dispose,
        name="kindergarten_dispose",
    ),
]
