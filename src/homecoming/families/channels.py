"""Channels that carry a message to a family. ``email`` ships; an SMS or messenger channel is
added by implementing :class:`Channel` and registering it::

    class SmsChannel:
        name = "sms"
        def send(self, recipient: str, subject: str, body: str) -> None: ...

    register_channel(SmsChannel())

``send`` raises an exception when the message could not be handed over; the caller records it
and retries.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import EmailMessage


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, recipient: str, subject: str, body: str) -> None: ...


class EmailChannel:
    """Through Django's configured e-mail backend (SMTP in production, locmem in tests)."""

    name = "email"

    def send(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient])
        sent = message.send(fail_silently=False)
        if sent != 1:
            raise RuntimeError("the e-mail backend did not accept the message")


_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    if not isinstance(channel, Channel):
        raise TypeError("a channel needs a name and send(recipient, subject, body)")
    _CHANNELS[channel.name] = channel


def get_channel(name: str) -> Channel:
    try:
        return _CHANNELS[name]
    except KeyError:
        raise LookupError(f"no channel named {name!r}") from None


def channel_names() -> list[str]:
    return sorted(_CHANNELS)


register_channel(EmailChannel())
