"""The import pages (views_imports.py), included into the welfare namespace."""

from django.urls import path

from . import views_imports

urlpatterns: list = [
    path("status/import/", views_imports.status_import, name="status_import"),
    path(
        "status/import/template.xlsx",
        views_imports.status_import_template,
        name="status_import_template",
    ),
]
