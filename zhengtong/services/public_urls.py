"""Pages for the public, no login: /public/…"""

from django.urls import path

from . import online_public
from . import public_views as views

app_name = "public"

urlpatterns = [
    path("guide/", views.guide_list, name="guide_list"),
    path("guide/<str:code>/", views.guide_detail, name="guide_detail"),
    path("lookup/", views.lookup, name="lookup"),
    path("lookup.json", views.lookup_json, name="lookup_json"),
    path("verify/", views.verify, name="verify"),
    path("lookup/rate/", views.rate, name="rate"),
    path("duty/", views.duty_board, name="duty"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("online/", online_public.online_index, name="online_index"),
    path("online/status/", online_public.online_status, name="online_status"),
    path("online/<str:code>/", online_public.online_apply, name="online_apply"),
]
