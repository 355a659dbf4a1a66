from django.urls import path

from . import views

app_name = "exchanges"
urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/categories/new/", views.category_create, name="category_create"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/pool/", views.category_pool, name="category_pool"),
    path("stages/<int:pk>/", views.exchange_detail, name="exchange_detail"),
    path("stages/<int:pk>/status/", views.exchange_status, name="exchange_status"),
    path("stages/<int:pk>/add/", views.exchange_add, name="exchange_add"),
    path("stages/<int:pk>/counter-list/", views.counter_list, name="counter_list"),
    path("stages/<int:pk>/crossings/", views.crossings, name="crossings"),
    path("stages/<int:pk>/reconcile/", views.reconcile, name="reconcile"),
    path("stages/<int:pk>/report/", views.report, name="report"),
    path("stages/<int:pk>/communique/", views.communique, name="communique"),
    path("entries/<int:pk>/state/", views.entry_state, name="entry_state"),
]
