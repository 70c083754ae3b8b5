from django.urls import path

from xiuhua.web.views import actions, auth, case_detail, cases, dashboard, maps, shell

app_name = "web"

urlpatterns = [
    path("", shell.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("notices/", shell.notices, name="notices"),
    path("notices/read/", shell.read_notices, name="read_notices"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<str:number>/", case_detail.case_detail, name="case_detail"),
    path("cases/<str:number>/act/<str:action>/", actions.act, name="act"),
    path(
        "cases/<str:number>/attachments/<int:attachment_id>/",
        case_detail.case_attachment,
        name="case_attachment",
    ),
    path("map/", maps.map_page, name="map"),
    path("map/grids.geojson", maps.grids_geojson, name="map_grids"),
    path("map/divisions.geojson", maps.divisions_geojson, name="map_divisions"),
    path("map/cases.geojson", maps.cases_geojson, name="map_cases"),
    path("map/cases/<str:number>/", maps.case_popup, name="map_case_popup"),
    path("dashboard/", dashboard.page, {"view": "dashboard"}, name="dashboard"),
    path("dashboard/figures/", dashboard.figures, name="dashboard_figures"),
    path("screen/", dashboard.page, {"view": "screen"}, name="screen"),
]
