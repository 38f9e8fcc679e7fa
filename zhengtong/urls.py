from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zhengtong.inbox.views import home

admin.site.site_header = "政通 系统管理"
admin.site.site_title = "政通"
admin.site.index_title = "配置与维护"

api_v1 = [
    path("projects/", include("zhengtong.projects.api.urls")),
    path("services/", include("zhengtong.services.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("zhengtong.accounts.urls")),
    path("audit/", include("zhengtong.audit.urls")),
    path("workdays/", include("zhengtong.workdays.urls")),
    path("projects/", include("zhengtong.projects.urls")),
    path("services/reports/", include("zhengtong.services.report_urls")),
    path("services/", include("zhengtong.services.urls")),
    path("public/projects/", include("zhengtong.projects.public_urls")),
    path("public/", include("zhengtong.services.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
