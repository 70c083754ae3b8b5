from django.contrib import admin
from django.urls import include, path

from xiuhua.platform.api import api

admin.site.site_header = "绣花 · 城市精细化管理平台"
admin.site.site_title = "绣花 xiuhua"
admin.site.index_title = "基础数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("xiuhua.intake.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include("xiuhua.reports.urls")),
    path("", include("xiuhua.web.urls")),
]
