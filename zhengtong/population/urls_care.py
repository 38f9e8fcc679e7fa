"""Care pages: check-up campaigns, home visits and referrals, 计生助福, 1+1 pairings.

Included into the "population" namespace by population/urls.py.
"""

from django.urls import path

from . import views_care as views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/targets/", views.campaign_targets, name="campaign_targets"),
    path("campaigns/<int:pk>/sync/", views.campaign_sync, name="campaign_sync"),
    path("campaigns/targets/<int:pk>/attend/", views.campaign_attend, name="campaign_attend"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/photos/<int:photo_pk>/", views.visit_photo, name="visit_photo"),
    path("visits/<int:pk>/referrals/", views.referral_create, name="referral_create"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
    path("assistance/", views.assistance_list, name="assistance_list"),
    path("assistance/new/", views.assistance_create, name="assistance_create"),
    path("pairings/", views.pairing_list, name="pairing_list"),
    path("pairings/new/", views.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/visits/", views.pairing_visit, name="pairing_visit"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
]
