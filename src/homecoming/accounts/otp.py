"""Two-factor login with time-based one-time codes (TOTP, RFC 6238) through django-otp.

Writes (enrolment, verification, reset) are in ``services.py``; this module holds the reads:
the pending device of an enrolment, its ``otpauth://`` URI, its secret in base32 for typing,
and the QR code as inline SVG (segno, pure Python).
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "authenticator"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped(secret: str) -> str:
    """ABCD EFGH ...: easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device: TOTPDevice) -> str:
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{device.user.get_username()}")
    params = {"secret": secret_base32(device), "issuer": issuer, "algorithm": "SHA1",
              "digits": device.digits, "period": device.step}
    return f"otpauth://totp/{label}?{urlencode(params)}"


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (markup only: allowed by the Content Security Policy)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
