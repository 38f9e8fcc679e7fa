"""The 文明家庭 光荣榜 for the public, no login: /public/families/."""

from django.urls import path

from .views_care import families

app_name = "public_families"

urlpatterns = [
    path("", families.family_public_list, name="family_list"),
]
