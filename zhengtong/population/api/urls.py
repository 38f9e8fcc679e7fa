from django.urls import include, path

from . import views

urlpatterns: list = [
    path("persons/", views.PersonListApi.as_view(), name="api_person_list"),
    path("persons/search/", views.PersonSearchApi.as_view(), name="api_person_search"),
    path("persons/<int:pk>/", views.PersonDetailApi.as_view(), name="api_person_detail"),
    # Pregnancies: the follow-ups colleague's endpoints.
    path("", include("zhengtong.population.api.urls_followups")),
]
