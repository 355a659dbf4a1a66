"""The two-factor pages: enrol an authenticator app, and give the code after the password."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from homecoming.common.errors import apply_errors

from . import otp, services


class TokenForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=12,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))


class EnrolForm(TokenForm):
    """Enrolment asks the password again: a stolen session alone cannot put a phone on the account."""

    password = forms.CharField(label=gettext_lazy("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    field_order = ["password", "token"]


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the old password checked by the service (audited, throttled) and the
    new one saved by it (audited)."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        try:
            services.check_own_password(self.user, self.cleaned_data.get("old_password") or "", purpose="change",
                                        request=self.request)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["password"]) from None
        return self.cleaned_data["old_password"]

    def save(self, commit=True):
        services.set_own_password(self.user, self.cleaned_data["new_password1"], request=self.request)
        return self.user


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """After the password: the 6-digit code of the person's authenticator."""
    if otp.confirmed_device(request.user) is None:
        return redirect(f"{_url('otp_setup')}?next={_next(request)}")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_otp(request.user, form.cleaned_data["token"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            otp_login(request, device)
            return redirect(_next(request))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol an authenticator: the otpauth URI, its secret as text and a QR code; confirm with a code.
    Someone who already has one must give its code first (replacing it needs the old phone, or
    an administrator's ``homecoming otp-reset``)."""
    if otp.confirmed_device(request.user) is not None and not request.user.is_verified():
        return redirect(f"{_url('otp_verify')}?next={request.get_full_path()}")
    device = services.start_otp_enrolment(request.user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_otp_enrolment(request.user, form.cleaned_data["token"],
                                                    password=form.cleaned_data["password"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor login is set up: from now on you give a code after "
                                        "your password."))
            return redirect(_next(request))
    uri = otp.otpauth_uri(device)
    return render(request, "registration/otp_setup.html", {
        "form": form, "next": _next(request), "uri": uri, "secret": otp.grouped(otp.secret_base32(device)),
        "qr": otp.qr_svg(uri), "has_device": otp.confirmed_device(request.user) is not None,
    })


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
