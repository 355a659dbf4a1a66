"""Authenticator devices are not edited in the Django admin: their secrets must never be shown to
anyone but their owner (django-otp's admin has a QR-code page per device). A lost device is
removed with ``homecoming otp-reset USERNAME``, which audits."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
