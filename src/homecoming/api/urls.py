from django.urls import path

from . import aftercare, exchanges, payments, registry, views

app_name = "api"
urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("me/", views.Me.as_view(), name="me"),
    path("persons/", registry.PersonList.as_view(), name="person-list"),
    path("persons/<int:pk>/", registry.PersonDetail.as_view(), name="person-detail"),
    path("persons/<int:pk>/events/", registry.PersonEvents.as_view(), name="person-events"),
    path("agreements/", exchanges.AgreementList.as_view(), name="agreement-list"),
    path("agreements/<int:pk>/", exchanges.AgreementDetail.as_view(), name="agreement-detail"),
    path("agreements/<int:pk>/categories/", exchanges.CategoryCreate.as_view(), name="category-create"),
    path("categories/<int:pk>/", exchanges.CategoryDetail.as_view(), name="category-detail"),
    path("categories/<int:pk>/pool/", exchanges.CategoryPool.as_view(), name="category-pool"),
    path("rules/check/", exchanges.RuleCheck.as_view(), name="rule-check"),
    path("exchanges/", exchanges.ExchangeList.as_view(), name="exchange-list"),
    path("exchanges/<int:pk>/", exchanges.ExchangeDetail.as_view(), name="exchange-detail"),
    path("exchanges/<int:pk>/status/", exchanges.ExchangeStatus.as_view(), name="exchange-status"),
    path("exchanges/<int:pk>/entries/", exchanges.ExchangeEntries.as_view(), name="exchange-entries"),
    path("exchanges/<int:pk>/counter-list/", exchanges.CounterList.as_view(), name="exchange-counter-list"),
    path("exchanges/<int:pk>/crossings/", exchanges.Crossings.as_view(), name="exchange-crossings"),
    path("exchanges/<int:pk>/reconcile/", exchanges.Reconcile.as_view(), name="exchange-reconcile"),
    path("exchanges/<int:pk>/report/", exchanges.Report.as_view(), name="exchange-report"),
    path("exchanges/<int:pk>/communique", exchanges.CommuniqueView.as_view(), name="exchange-communique"),
    path("exchanges/<int:pk>/communique/publish/", exchanges.CommuniquePublish.as_view(),
         name="exchange-communique-publish"),
    path("entries/<int:pk>/state/", exchanges.EntryState.as_view(), name="entry-state"),
    path("aftercare/cases/", aftercare.CaseList.as_view(), name="aftercare-case-list"),
    path("aftercare/cases/<int:pk>/", aftercare.CaseDetail.as_view(), name="aftercare-case-detail"),
    path("aftercare/tasks/<int:pk>/", aftercare.TaskUpdate.as_view(), name="aftercare-task"),
    path("payments/entitlements/<int:person_id>/", payments.EntitlementDetail.as_view(), name="payments-entitlement"),
    path("payments/batches/", payments.BatchList.as_view(), name="payments-batch-list"),
    path("payments/batches/<int:pk>/approve/", payments.BatchApprove.as_view(), name="payments-batch-approve"),
    path("payments/report/", payments.Report.as_view(), name="payments-report"),
]
