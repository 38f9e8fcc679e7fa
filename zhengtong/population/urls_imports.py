"""Import pages (views_imports.py), included into the population namespace."""

from django.urls import path

from . import views_imports

urlpatterns: list = [
    path("imports/", views_imports.import_list, name="import_list"),
    path(
        "imports/template/<slug:kind>.xlsx",
        views_imports.import_template,
        name="import_template",
    ),
    path("imports/<int:pk>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/run/", views_imports.import_run, name="import_run"),
    path("imports/<int:pk>/cancel/", views_imports.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/retry/", views_imports.import_retry, name="import_retry"),
]
