"""The site's URLs plus two that fail, for the tests of the 500 page (HTML and API)."""

from django.urls import path

from zhengtong.urls import handler400, handler403, handler404, handler500
from zhengtong.urls import urlpatterns as site


def boom(request):
    raise RuntimeError("测试用的故障")


urlpatterns = [
    path("boom/", boom),
    path("api/boom/", boom),
    *site,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
