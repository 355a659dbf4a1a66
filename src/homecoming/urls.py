from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from homecoming.accounts import language as account_language
from homecoming.accounts import views as account_views
from homecoming.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", account_views.otp_verify, name="otp_verify"),
    path("accounts/otp/setup/", account_views.otp_setup, name="otp_setup"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The language switch works before signing in too (the login page and the family portal).
    path("i18n/setlang/", account_language.set_language, name="set_language"),
    path("accounts/users/", include("homecoming.accounts.urls")),
    path("audit/", include("homecoming.audit.urls")),
    path("operations/", include("homecoming.operations.urls")),
    path("persons/", include("homecoming.registry.urls")),
    path("intake/", include("homecoming.intake.urls")),
    path("exchanges/", include("homecoming.exchanges.urls")),
    path("family/", include("homecoming.families.portal_urls")),
    path("families/", include("homecoming.families.urls")),
    path("aftercare/", include("homecoming.aftercare.urls")),
    path("payments/", include("homecoming.payments.urls")),
    path("remains/", include("homecoming.remains.urls")),
    path("reports/", include("homecoming.reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("homecoming.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The docs are a page for people: redirect to login like any page (DRF views opt out of the
    # login middleware, so it is said here).
    # The split view serves Swagger UI's start-up script as a file: no inline script under the CSP.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
]

handler400 = "homecoming.core.errors.bad_request"
handler403 = "homecoming.core.errors.permission_denied"
handler404 = "homecoming.core.errors.page_not_found"
handler500 = "homecoming.core.errors.server_error"
