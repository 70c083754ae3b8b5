from django.urls import path

from xiuhua.web.views import actions, auth, case_detail, case_place, cases, department, shell

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
    path("cases/<str:number>/place.geojson", case_place.case_place_geojson, name="case_place"),
    path("department/", department.workbench, name="department"),
    path("department/figures/", department.figures, name="department_figures"),
    path("department/act/<str:number>/<str:action>/", department.action_form, name="department_action"),
    path(
        "cases/<str:number>/attachments/<int:attachment_id>/",
        case_detail.case_attachment,
        name="case_attachment",
    ),
]
