from django.urls import path

from xiuhua.web.views import (
    actions,
    auth,
    case_detail,
    case_place,
    cases,
    centre,
    dashboard,
    department,
    maps,
    mobile,
    public,
    shell,
)

app_name = "web"

urlpatterns = [
    path("", shell.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("notices/", shell.notices, name="notices"),
    path("notices/read/", shell.read_notices, name="read_notices"),
    path("centre/intake/", centre.intake, name="intake"),
    path("centre/dispatch/", centre.dispatch, name="dispatch"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<str:number>/", case_detail.case_detail, name="case_detail"),
    path("cases/<str:number>/act/<str:action>/", actions.act, name="act"),
    path("cases/<str:number>/place.geojson", case_place.case_place_geojson, name="case_place"),
    path("department/", department.workbench, name="department"),
    path("department/figures/", department.figures, name="department_figures"),
    path("department/act/<str:number>/<str:action>/", department.action_form, name="department_action"),
    path(
        "cases/<str:number>/attachments/<int:attachment_id>/",
        case_detail.case_attachment,
        name="case_attachment",
    ),
    # The inspector's phone.
    path("m/", mobile.tasks, name="m_tasks"),
    path("m/cases/<str:number>/", mobile.case_page, name="m_case"),
    path("m/report/", mobile.report, name="m_report"),
    path("m/me/", mobile.me, name="m_me"),
    path("m/grids/", mobile.grids, name="m_grids"),
    path("m/where/", mobile.where, name="m_where"),
    path("m/sw.js", mobile.service_worker, name="m_service_worker"),
    # Citizens, no account.
    path("public/", public.report, name="public_report"),
    path("public/receipt/<str:number>/", public.receipt, name="public_receipt"),
    path("public/lookup/", public.lookup, name="public_lookup"),
    path("public/cases/<str:number>/", public.status, name="public_case"),
    path("public/cases/<str:number>/rate/", public.rate, name="public_rate"),
    path("public/grids/", public.grids, name="public_grids"),
    path("public/where/", public.where, name="public_where"),
    path("map/", maps.map_page, name="map"),
    path("map/grids.geojson", maps.grids_geojson, name="map_grids"),
    path("map/divisions.geojson", maps.divisions_geojson, name="map_divisions"),
    path("map/cases.geojson", maps.cases_geojson, name="map_cases"),
    path("map/cases/<str:number>/", maps.case_popup, name="map_case_popup"),
    path("dashboard/", dashboard.page, {"view": "dashboard"}, name="dashboard"),
    path("dashboard/figures/", dashboard.figures, name="dashboard_figures"),
    path("screen/", dashboard.page, {"view": "screen"}, name="screen"),
]
