from django.urls import path

from xiuhua.reports import views

app_name = "reports"
urlpatterns = [
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/file/", views.request_file, name="request_file"),
    path("jobs/<int:job_id>/", views.job_progress, name="job"),
    path("jobs/<int:job_id>/download/", views.download, name="download"),
    path("kept/", views.kept, name="kept"),
    path("campaigns/bulletin/", views.campaign_bulletin, name="campaign_bulletin"),
]
