from django.urls import path

from . import registry, views

app_name = "api"
urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("me/", views.Me.as_view(), name="me"),
    path("persons/", registry.PersonList.as_view(), name="person-list"),
    path("persons/<int:pk>/", registry.PersonDetail.as_view(), name="person-detail"),
    path("persons/<int:pk>/events/", registry.PersonEvents.as_view(), name="person-events"),
]
