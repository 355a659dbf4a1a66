"""The public family portal, mounted at /family/ (no staff login)."""

from django.urls import path

from . import views

app_name = "family"
urlpatterns = [
    path("", views.portal, name="portal"),
    path("inquiry/", views.inquiry_new_public, name="inquiry_new"),
    path("message/", views.portal_message, name="message"),
    path("inquiry/received/", views.inquiry_received_public, name="inquiry_received"),
]
