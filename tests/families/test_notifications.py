"""Messages to families when the linked person's status changes: what they say, retries, channels."""

import datetime as dt

import pytest
from django.core import mail

from homecoming.families import channels, services
from homecoming.families.models import Notification

FORBIDDEN = ("SECRET-LIST-7", "Olenivka", "building 4", "Іншенко", "other_side_list", "List from the other side")


def test_captivity_and_return_are_told_once_in_the_family_language(linked, add_event, make_person):
    person, filed = linked
    make_person("Іншенко", "Богдан", status="captivity_confirmed")  # another person: never mentioned
    add_event(person, "captivity_confirmed")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["family@example.org"]
    assert "Captivity confirmed" in message.body and filed.inquiry.reference in message.body
    assert "+380 00 000 0000" in message.body  # how to reach the headquarters
    for text in FORBIDDEN + (filed.secret, person.reference, "Тестенко"):
        assert text not in message.body and text not in message.subject
    add_event(person, "captivity_confirmed")  # the same state again: no second message
    assert len(mail.outbox) == 1
    add_event(person, "returned")
    assert len(mail.outbox) == 2 and "Returned home" in mail.outbox[1].body
    notes = Notification.objects.filter(template="status").order_by("id")
    assert [n.state for n in notes] == ["sent", "sent"] and all(n.sent_at for n in notes)
    assert notes[0].body == mail.outbox[0].body


def test_ukrainian_family_gets_ukrainian(file_inquiry, make_person, registrar, add_event):
    person = make_person()
    filed = file_inquiry(language="uk")
    services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    mail.outbox = []
    add_event(person, "captivity_confirmed")
    assert "Полон підтверджено" in mail.outbox[0].body


def test_deceased_is_never_put_in_a_message(linked, add_event):
    person, _ = linked
    add_event(person, "deceased")
    assert mail.outbox == []


class FlakyChannel:
    name = "email"

    def __init__(self, failures):
        self.failures, self.sent = failures, []

    def send(self, recipient, subject, body):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("relay down")
        self.sent.append((recipient, subject, body))


@pytest.fixture
def flaky():
    original = channels.get_channel("email")
    holder = {}

    def _install(failures):
        holder["c"] = FlakyChannel(failures)
        channels.register_channel(holder["c"])
        return holder["c"]

    yield _install
    channels.register_channel(original)


def test_failed_delivery_is_retried_and_recorded(linked, add_event, flaky):
    person, _ = linked
    channel = flaky(2)
    add_event(person, "captivity_confirmed")
    note = Notification.objects.get(template="status")
    assert note.state == "sent" and note.attempts == 3 and len(channel.sent) == 1


def test_delivery_gives_up_after_the_last_attempt_and_can_be_retried(linked, add_event, flaky, registrar,
                                                                     django_capture_on_commit_callbacks):
    person, _ = linked
    channel = flaky(100)
    add_event(person, "captivity_confirmed")
    note = Notification.objects.get(template="status")
    assert note.state == "failed" and note.attempts == services.MAX_ATTEMPTS and "relay down" in note.last_error
    channel.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_notification(registrar, note.pk)
    note.refresh_from_db()
    assert note.state == "sent" and len(channel.sent) == 1


def test_another_channel_can_be_added(linked, add_event):
    person, _ = linked

    class Sms:
        name = "sms"
        sent = []

        def send(self, recipient, subject, body):
            self.sent.append((recipient, body))

    sms = Sms()
    channels.register_channel(sms)
    try:
        add_event(person, "captivity_confirmed")
    finally:
        channels._CHANNELS.pop("sms")
    assert sms.sent and sms.sent[0][0] == "+380501112233"
    assert set(Notification.objects.filter(template="status").values_list("channel", flat=True)) == {"email", "sms"}


def test_a_channel_must_implement_send():
    class Broken:
        name = "pigeon"

    with pytest.raises(TypeError):
        channels.register_channel(Broken())


def test_linking_to_a_person_already_confirmed_captive_tells_the_family(file_inquiry, make_person, registrar,
                                                                        django_capture_on_commit_callbacks):
    person = make_person(status="captivity_confirmed")
    filed = file_inquiry()
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    assert len(mail.outbox) == 1 and "Captivity confirmed" in mail.outbox[0].body


def test_housekeeping_requeues_stale_messages_and_purges_attempts(linked, add_event, flaky, db):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from homecoming.families.models import PortalAttempt

    person, _ = linked
    channel = flaky(100)
    add_event(person, "captivity_confirmed")
    note = Notification.objects.get(template="status")
    Notification.objects.filter(pk=note.pk).update(state="queued", attempts=1,
                                                   created_at=timezone.now() - dt.timedelta(hours=1))
    PortalAttempt.objects.create(address="192.0.2.1", reference="")
    PortalAttempt.objects.filter().update(created_at=timezone.now() - dt.timedelta(days=3))
    PortalAttempt.objects.create(address="192.0.2.2", reference="")
    channel.failures = 0
    call_command("families_housekeeping")
    note.refresh_from_db()
    assert note.state == "sent"
    assert list(PortalAttempt.objects.values_list("address", flat=True)) == ["192.0.2.2"]


def test_housekeeping_refuses_bad_arguments(db):
    from django.core.management import call_command

    with pytest.raises(SystemExit):
        call_command("families_housekeeping", "--keep-days", "0")


def test_a_message_the_register_takes_back_asks_the_family_to_contact_us(linked, add_event):
    """Told "returned home", then the return was a wrong record: the family is not left believing
    it, and the correction is given by a person, not by the message."""
    person, filed = linked
    add_event(person, "captivity_confirmed", dt.date(2024, 1, 10))
    returned = add_event(person, "returned", dt.date(2024, 6, 1))
    assert "Returned home" in mail.outbox[-1].body
    add_event(person, "captivity_confirmed", dt.date(2024, 6, 1), corrects=returned.pk)
    assert len(mail.outbox) == 3
    body = mail.outbox[-1].body
    assert "Please contact the headquarters" in body and "Please call or write before you read" in body
    assert "Returned home" not in body and "Captivity confirmed" not in body
    add_event(person, "captivity_confirmed", dt.date(2024, 7, 1))  # nothing new for a message
    assert len(mail.outbox) == 3
