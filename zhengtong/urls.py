from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from zhengtong.inbox.views import home

admin.site.site_header = "政通 系统管理"
admin.site.site_title = "政通"
admin.site.index_title = "配置与维护"

# Staff photos appear on the public on-duty board; construction-site photos are for signed-in
# staff. Anything else (home-visit photos, import files) is only reachable through the scoped
# view of its own module, never by its path.
PUBLIC_MEDIA_PREFIXES = ("staff/",)
STAFF_MEDIA_PREFIXES = ("progress/",)


def media_file(request, path: str):
    if path.startswith(PUBLIC_MEDIA_PREFIXES):
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    if not path.startswith(STAFF_MEDIA_PREFIXES):
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return serve(request, path, document_root=settings.MEDIA_ROOT)


api_v1 = [
    path("projects/", include("zhengtong.projects.api.urls")),
    path("services/", include("zhengtong.services.api.urls")),
    path("population/", include("zhengtong.population.api.urls")),
    path("livelihood/", include("zhengtong.reports.api_urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("zhengtong.accounts.urls")),
    path("audit/", include("zhengtong.audit.urls")),
    path("workdays/", include("zhengtong.workdays.urls")),
    path("projects/", include("zhengtong.projects.urls")),
    path("population/", include("zhengtong.population.urls")),
    path("livelihood/", include("zhengtong.livelihood.urls")),
    path("welfare/", include("zhengtong.welfare.urls")),
    path("reports/", include("zhengtong.reports.urls")),
    path("services/reports/", include("zhengtong.services.report_urls")),
    path("services/", include("zhengtong.services.urls")),
    path("public/projects/", include("zhengtong.projects.public_urls")),
    path("public/", include("zhengtong.services.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("media/<path:path>", media_file),
]
