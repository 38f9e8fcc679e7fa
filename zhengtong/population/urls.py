from django.urls import include, path

from . import sync_views, views

app_name = "population"

urlpatterns: list = [
    path("", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/call/", views.person_call, name="person_call"),
    path("persons/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("persons/<int:pk>/transfer/", views.transfer_create, name="transfer_create"),
    path("persons/<int:pk>/floating/new/", views.floating_create, name="floating_create"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create_view, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path(
        "households/<int:pk>/members/", views.household_member_add_view, name="household_member_add"
    ),
    path(
        "households/<int:pk>/members/<int:member_pk>/remove/",
        views.household_member_remove_view,
        name="household_member_remove",
    ),
    path("floating/", views.floating_list, name="floating_list"),
    path("floating/overdue/", views.floating_overdue, name="floating_overdue"),
    path("floating/<int:pk>/", views.floating_detail, name="floating_detail"),
    path("floating/<int:pk>/certificate/", views.floating_certificate, name="floating_certificate"),
    path("floating/<int:pk>/end/", views.floating_end, name="floating_end"),
    path("floating/<int:pk>/call/", views.floating_call, name="floating_call"),
    # Field work without a connection: the worker's offline page, the sync endpoint, the
    # service worker script.
    path("offline/", sync_views.offline_page, name="offline"),
    path("sync/", sync_views.sync_endpoint, name="sync"),
    path("sw.js", sync_views.service_worker, name="service_worker"),
    # Pages of the colleagues on issue 4: follow-ups, care, imports.
    path("", include("zhengtong.population.urls_followups")),
    path("", include("zhengtong.population.urls_care")),
    path("", include("zhengtong.population.urls_imports")),
    path("", include("zhengtong.population.urls_weekly")),
]
