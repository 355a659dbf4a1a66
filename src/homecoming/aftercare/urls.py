from django.urls import path

from . import views

app_name = "aftercare"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("open/", views.case_open, name="case_open"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("<int:pk>/close/", views.case_close, name="case_close"),
    path("tasks/<int:pk>/", views.task_edit, name="task_edit"),
]
