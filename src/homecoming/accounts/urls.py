from django.urls import path

from . import manage

app_name = "accounts"
urlpatterns = [
    path("", manage.user_list, name="user_list"),
    path("new/", manage.user_create, name="user_create"),
    path("<int:pk>/", manage.user_detail, name="user_detail"),
]
