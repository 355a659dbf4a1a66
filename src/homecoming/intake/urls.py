from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.list_index, name="list_index"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.job_detail, name="job_detail"),
    path("imports/<int:pk>/columns/", views.job_mapping, name="job_mapping"),
    path("imports/<int:pk>/start/", views.job_start, name="job_start"),
    path("imports/<int:pk>/encoding/", views.job_encoding, name="job_encoding"),
    path("imports/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("imports/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("lists/<int:pk>/", views.list_review, name="list_review"),
    path("lists/<int:pk>/rows/<int:row_id>/decide/", views.row_decide, name="row_decide"),
    path("lists/<int:pk>/accept-automatic/", views.accept_automatic, name="accept_automatic"),
    path("lists/<int:pk>/export/", views.export_list, name="export_list"),
    path("export/", views.export_register, name="export_register"),
]
