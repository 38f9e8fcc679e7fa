from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.message_list, name="message_list"),
    path("<int:pk>/", views.message_detail, name="message_detail"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("outbox/", views.outbox, name="outbox"),
]
