"""Staff pages of the families app, mounted at /families/."""

from django.urls import path

from . import views

app_name = "families"
urlpatterns = [
    path("", views.inquiry_list, name="inquiry_list"),
    path("new/", views.inquiry_new_staff, name="inquiry_new"),
    path("new/received/", views.inquiry_received_staff, name="inquiry_received"),
    path("<int:pk>/told/", views.inquiry_told, name="inquiry_told"),
    path("<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("<int:pk>/link/<int:person_id>/", views.inquiry_link_candidate, name="inquiry_link_candidate"),
    path("<int:pk>/create-person/", views.inquiry_create_person, name="inquiry_create_person"),
    path("<int:pk>/unlink/", views.inquiry_unlink, name="inquiry_unlink"),
    path("<int:pk>/close/", views.inquiry_close, name="inquiry_close"),
    path("<int:pk>/retry/", views.notification_retry, name="notification_retry"),
    path("person/<int:person_id>/", views.person_inquiries, name="person_inquiries"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    path("lockouts/<int:pk>/lift/", views.lockout_lift, name="lockout_lift"),
]
