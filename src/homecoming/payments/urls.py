from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.home, name="home"),
    path("rules/", views.rules, name="rules"),
    path("persons/<int:pk>/", views.person_payments, name="person"),
    path("persons/<int:pk>/compute/", views.compute, name="compute"),
    path("persons/<int:pk>/details/", views.profile_set, name="profile_set"),
    path("persons/<int:pk>/pay/", views.pay_data_add, name="pay_data_add"),
    path("persons/<int:pk>/family-payments/", views.family_payment_add, name="family_payment_add"),
    path("batches/prepare/", views.batch_prepare, name="batch_prepare"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("batches/<int:pk>/reject/", views.batch_reject, name="batch_reject"),
    path("batches/<int:pk>/paid/", views.batch_paid, name="batch_paid"),
    path("batches/<int:pk>/export.csv", views.batch_export, name="batch_export"),
]
