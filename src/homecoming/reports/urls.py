from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:key>/", views.figure_csv, name="csv"),
    path("persons/", views.persons, name="persons"),
    path("exchanges/", views.exchange_index, name="exchange_index"),
    path("exchanges/<int:pk>/", views.exchange_report, name="exchange"),
    path("agreements/<int:pk>/", views.agreement_report, name="agreement"),
]
