from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from zhengtong.inbox.views import home
from zhengtong.lib.files import serve_stored_file

# The error pages of the site, in Chinese; JSON under /api/ (zhengtong/lib/errors.py).
handler400 = "zhengtong.lib.errors.bad_request"
handler403 = "zhengtong.lib.errors.permission_denied"
handler404 = "zhengtong.lib.errors.page_not_found"
handler500 = "zhengtong.lib.errors.server_error"

admin.site.site_header = "政通 系统管理"
admin.site.site_title = "政通"
admin.site.index_title = "配置与维护"

api_v1 = [
    path("projects/", include("zhengtong.projects.api.urls")),
    path("services/", include("zhengtong.services.api.urls")),
    path("open311/", include("zhengtong.services.api.open311_urls")),
    path("population/", include("zhengtong.population.api.urls")),
    path("livelihood/", include("zhengtong.reports.api_urls")),
]

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("", home, name="home"),
    path("health/", include("zhengtong.health.urls")),
    path("accounts/", include("zhengtong.accounts.urls")),
    path("audit/", include("zhengtong.audit.urls")),
    path("workdays/", include("zhengtong.workdays.urls")),
    path("jobs/", include("zhengtong.jobs.urls")),
    path("notify/", include("zhengtong.notify.urls")),
    path("projects/", include("zhengtong.projects.urls")),
    path("population/", include("zhengtong.population.urls")),
    path("people/", include("zhengtong.people.urls")),
    path("livelihood/", include("zhengtong.livelihood.urls")),
    path("welfare/", include("zhengtong.welfare.urls")),
    path("reports/", include("zhengtong.reports.urls")),
    path("services/reports/", include("zhengtong.services.report_urls")),
    path("services/", include("zhengtong.services.urls")),
    path("public/projects/", include("zhengtong.projects.public_urls")),
    path("public/sms/", include("zhengtong.notify.public_urls")),
    path("public/caifeng/", include("zhengtong.population.public_urls")),
    path("public/families/", include("zhengtong.population.public_urls_families")),
    path("public/", include("zhengtong.services.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    # Every stored file, public or not, through the one door (zhengtong/lib/files.py).
    path("media/<path:path>", serve_stored_file),
]
