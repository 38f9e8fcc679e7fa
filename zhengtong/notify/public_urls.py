"""Public pages of the notifications, no login: /public/sms/…"""

from django.urls import path

from . import public_views as views

app_name = "public_sms"
urlpatterns = [path("optout/", views.optout, name="optout")]
