"""The import pages (views_imports.py), included into the livelihood namespace."""

from django.urls import path

from . import views_imports

urlpatterns: list = [
    path("employment/import/", views_imports.employment_import, name="employment_import"),
    path(
        "employment/import/template.xlsx",
        views_imports.employment_import_template,
        name="employment_import_template",
    ),
]
