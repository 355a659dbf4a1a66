from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("me/", views.Me.as_view(), name="me"),
]
