"""Care pages: check-up campaigns, 健康义诊, home visits and referrals, 计生助福, 1+1 pairings,
文明家庭.

Included into the "population" namespace by population/urls.py.
"""

from django.urls import path

from .views_care import assistance, campaigns, clinics, families, pairings, visits

urlpatterns = [
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/targets/", campaigns.campaign_targets, name="campaign_targets"),
    path("campaigns/<int:pk>/sync/", campaigns.campaign_sync, name="campaign_sync"),
    path("campaigns/targets/<int:pk>/attend/", campaigns.campaign_attend, name="campaign_attend"),
    path("clinics/", clinics.clinic_list, name="clinic_list"),
    path("clinics/new/", clinics.clinic_create, name="clinic_create"),
    path("clinics/<int:pk>/", clinics.clinic_detail, name="clinic_detail"),
    path("clinics/<int:pk>/held/", clinics.clinic_held, name="clinic_held"),
    path(
        "clinics/<int:pk>/attendees/new/", clinics.clinic_attendee_add, name="clinic_attendee_add"
    ),
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/new/", visits.visit_create, name="visit_create"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/photos/<int:photo_pk>/", visits.visit_photo, name="visit_photo"),
    path("visits/<int:pk>/referrals/", visits.referral_create, name="referral_create"),
    path("referrals/", visits.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", visits.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/close/", visits.referral_close, name="referral_close"),
    path("assistance/", assistance.assistance_list, name="assistance_list"),
    path("assistance/new/", assistance.assistance_create, name="assistance_create"),
    path("pairings/", pairings.pairing_list, name="pairing_list"),
    path("pairings/new/", pairings.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/", pairings.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/visits/", pairings.pairing_visit, name="pairing_visit"),
    path("pairings/<int:pk>/end/", pairings.pairing_end, name="pairing_end"),
    path("families/", families.family_campaign_list, name="family_campaign_list"),
    path("families/new/", families.family_campaign_create, name="family_campaign_create"),
    path("families/nominations/", families.family_nomination_list, name="family_nomination_list"),
    path("families/nominate/", families.family_nominate, name="family_nominate"),
    path(
        "families/nominations/<int:pk>/",
        families.family_nomination_detail,
        name="family_nomination_detail",
    ),
    path(
        "families/nominations/<int:pk>/evaluate/",
        families.family_evaluate,
        name="family_evaluate",
    ),
    path("families/nominations/<int:pk>/decide/", families.family_decide, name="family_decide"),
]
