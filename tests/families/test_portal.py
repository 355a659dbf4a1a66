"""The family portal: what it shows, anti-enumeration, rate limits and lock-outs, bad input."""

import re
import statistics
import time

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from homecoming.audit.models import AuditEvent
from homecoming.families import services
from homecoming.families.models import LockOut, PortalAttempt

URL = "/family/"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _post(client, reference, code, address="203.0.113.7"):
    return client.post(URL, {"reference": reference, "code": code}, REMOTE_ADDR=address)


def _body(response):
    return CSRF_RE.sub("", response.content.decode())


@pytest.fixture
def client_en():
    c = Client(enforce_csrf_checks=False)
    c.cookies["homecoming_language"] = "en"
    return c


def test_the_portal_needs_no_login_and_is_never_cached(client_en, db):
    response = client_en.get(URL)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "<script" not in response.content.decode() and "style=" not in response.content.decode()
    assert client_en.get("/family/inquiry/").status_code == 200


def test_the_code_is_never_accepted_in_the_url(client_en, file_inquiry):
    filed = file_inquiry()
    response = client_en.get(URL, {"reference": filed.inquiry.reference, "code": filed.secret})
    assert "Captivity" not in response.content.decode() and filed.inquiry.full_name not in response.content.decode()


def test_right_code_shows_plain_status_and_nothing_else(client_en, file_inquiry, make_person, registrar, add_event):
    person = make_person()
    filed = file_inquiry()
    response = _post(client_en, filed.inquiry.reference, filed.secret)
    assert response.status_code == 200 and "Your inquiry has been received" in response.content.decode()
    services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    add_event(person, "captivity_confirmed")
    response = _post(client_en, filed.inquiry.reference.lower(), filed.secret.replace("-", " "))
    html = response.content.decode()
    assert "Captivity confirmed" in html and "10 January 2024" in html
    for text in ("SECRET-LIST-7", "Olenivka", "building 4", person.reference, "List from the other side"):
        assert text not in html
    assert AuditEvent.objects.filter(action="inquiry.portal_view", object_id=str(filed.inquiry.pk)).exists()
    add_event(person, "returned")
    html = _post(client_en, filed.inquiry.reference, filed.secret).content.decode()
    assert "Returned home" in html


def test_deceased_reads_contact_us(client_en, file_inquiry, make_person, registrar, add_event):
    person = make_person()
    filed = file_inquiry()
    services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    add_event(person, "deceased")
    html = _post(client_en, filed.inquiry.reference, filed.secret).content.decode()
    assert "Please contact the headquarters" in html and "Deceased" not in html


def test_case_worker_contact_comes_from_a_provider(client_en, file_inquiry, make_person, registrar, add_event,
                                                   monkeypatch):
    from django.apps import apps

    person = make_person()
    filed = file_inquiry()
    services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    add_event(person, "returned")
    config = apps.get_app_config("families")
    monkeypatch.setattr(config, "family_contact_for",
                        lambda p: {"name": "Ірина Вигадана", "phone": "+380 00 111 2233"} if p.pk == person.pk
                        else None, raising=False)
    html = _post(client_en, filed.inquiry.reference, filed.secret).content.decode()
    assert "Ірина Вигадана" in html and "+380 00 111 2233" in html


def test_unknown_reference_and_wrong_code_read_the_same(client_en, file_inquiry):
    filed = file_inquiry()
    wrong = _post(client_en, filed.inquiry.reference, "AAAA-BBBB-CCCC-DDDD", address="198.51.100.1")
    unknown = _post(client_en, "INQ-2222-22", "AAAA-BBBB-CCCC-DDDD", address="198.51.100.2")
    assert wrong.status_code == unknown.status_code == 200
    assert _body(wrong) == _body(unknown)
    assert filed.inquiry.reference not in _body(wrong) and filed.inquiry.full_name not in _body(wrong)
    assert "could not open" in _body(wrong)


def test_unknown_reference_does_the_same_slow_work(client_en, file_inquiry, settings, monkeypatch):
    """The hash check runs for unknown references too (against a dummy hash). Timings are
    compared by their medians with a generous bound; the real guarantee is the call count."""
    filed = file_inquiry()
    from homecoming.families import codes

    calls = []
    real = codes.HASHER.verify
    monkeypatch.setattr(codes.HASHER, "verify", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    settings.FAMILIES_PORTAL_ADDRESS_FAILURES = 1000
    settings.FAMILIES_PORTAL_REFERENCE_FAILURES = 1000

    def timed(reference):
        start = time.perf_counter()
        _post(client_en, reference, "AAAA-BBBB-CCCC-DDDD")
        return time.perf_counter() - start

    wrong = [timed(filed.inquiry.reference) for _ in range(5)]
    unknown = [timed("INQ-2222-22") for _ in range(5)]
    assert len(calls) == 10
    assert all(c[1].startswith("pbkdf2_sha256_code$2000$") for c in calls)
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.33 < ratio < 3, (wrong, unknown)


def test_address_is_locked_after_five_failures_and_a_registrar_can_lift_it(client_en, file_inquiry, registrar):
    filed = file_inquiry()
    for i in range(5):
        assert _post(client_en, f"INQ-2222-2{i + 2}", "AAAA-BBBB-CCCC-DDDD").status_code == 200
    lock = LockOut.objects.get(kind="address")
    assert lock.key == "203.0.113.7"
    # Locked: even the right code gets the lock-out page, for every reference.
    locked = _post(client_en, filed.inquiry.reference, filed.secret)
    assert locked.status_code == 429 and filed.inquiry.full_name not in locked.content.decode()
    # Another address is not locked.
    assert _post(client_en, filed.inquiry.reference, filed.secret, address="198.51.100.9").status_code == 200
    services.lift_lockout(registrar, lock.pk)
    assert AuditEvent.objects.filter(action="portal.lockout_lift", object_id=str(lock.pk)).exists()
    ok = _post(client_en, filed.inquiry.reference, filed.secret)
    assert ok.status_code == 200 and "Your inquiry has been received" in ok.content.decode()
    # The failures before the lift no longer count: one more failure does not lock again.
    _post(client_en, "INQ-2222-22", "AAAA-BBBB-CCCC-DDDD")
    assert not LockOut.objects.filter(lifted_at__isnull=True).exists()


def test_reference_is_locked_after_ten_failures_from_any_address(client_en, file_inquiry):
    filed = file_inquiry()
    for i in range(10):
        _post(client_en, filed.inquiry.reference, "AAAA-BBBB-CCCC-DDDD", address=f"192.0.2.{i}")
    assert LockOut.objects.filter(kind="reference", key=filed.inquiry.reference).exists()
    response = _post(client_en, filed.inquiry.reference, filed.secret, address="192.0.2.200")
    assert response.status_code == 429
    # An unknown reference is locked the same way, so a lock-out says nothing about existence.
    for i in range(10):
        _post(client_en, "INQ-3333-33", "AAAA-BBBB-CCCC-DDDD", address=f"192.0.2.{50 + i}")
    unknown = _post(client_en, "INQ-3333-33", "AAAA-BBBB-CCCC-DDDD", address="192.0.2.201")
    assert unknown.status_code == 429 and _body(unknown) == _body(response)


def test_a_lock_out_expires(client_en, file_inquiry):
    filed = file_inquiry()
    for _i in range(5):
        _post(client_en, "INQ-2222-22", "AAAA-BBBB-CCCC-DDDD")
    LockOut.objects.update(until=timezone.now())
    assert _post(client_en, filed.inquiry.reference, filed.secret).status_code == 200


def test_lift_needs_the_permission_and_a_live_lock(make_user, registrar, db):
    from django.core.exceptions import PermissionDenied, ValidationError

    lock = LockOut.objects.create(kind="address", key="192.0.2.1", failures=5, until=timezone.now())
    with pytest.raises(PermissionDenied):
        services.lift_lockout(make_user("case_worker"), lock.pk)
    services.lift_lockout(registrar, lock.pk)
    with pytest.raises(ValidationError):
        services.lift_lockout(registrar, lock.pk)


@pytest.mark.parametrize("data, field", [
    ({"reference": "", "code": "AAAA"}, "reference"),
    ({"reference": "INQ-2222-22", "code": ""}, "code"),
    ({"reference": "X" * 41, "code": "AAAA"}, "reference"),
    ({"reference": "INQ-2222-22", "code": "A" * 65}, "code"),
])
def test_bad_portal_input_is_named_and_counts_nothing(client_en, db, data, field):
    response = client_en.post(URL, data, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 400
    assert f'href="#id_{field}"' in response.content.decode()
    assert not PortalAttempt.objects.exists()


def test_the_portal_is_csrf_protected(file_inquiry):
    filed = file_inquiry()
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"reference": filed.inquiry.reference, "code": filed.secret})
    assert response.status_code == 403


def test_public_inquiry_form_files_and_shows_the_code_once(client_en, db):
    data = {"last_name": "Тестенко", "first_name": "Арсеній", "birth_date": "05.1995", "inquirer_name": "Олена",
            "relation": "mother", "email": "family@example.org", "language": "en", "consent": "on"}
    response = client_en.post("/family/inquiry/", data)
    assert response.status_code == 302 and response["Location"] == "/family/inquiry/received/"
    cookie = response.cookies["hc_filed"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/family/inquiry/received/"
    response = client_en.get("/family/inquiry/received/")
    html = response.content.decode()
    assert response.status_code == 200 and "Inquiry received" in html
    secret = re.search(r'id="inquiry-secret">([A-Z0-9-]+)<', html).group(1)
    assert secret in mail.outbox[0].body
    assert response["Cache-Control"].count("no-store")
    reload = client_en.get("/family/inquiry/received/").content.decode()  # the code is not shown twice
    assert secret not in reload and "received once" in reload


def test_the_filing_form_sent_twice_files_once(client_en, db):
    """A reload of the answer, a double click, the back button and send again: one inquiry, one
    code, one e-mail."""
    from homecoming.families.models import Inquiry

    form = client_en.get("/family/inquiry/").content.decode()
    token = re.search(r'name="submission" value="([\w-]+)"', form).group(1)
    data = {"last_name": "Тестенко", "first_name": "Арсеній", "inquirer_name": "Олена", "relation": "mother",
            "email": "family@example.org", "language": "en", "consent": "on", "submission": token}
    first = client_en.post("/family/inquiry/", data)
    second = client_en.post("/family/inquiry/", data)
    assert first.status_code == second.status_code == 302
    assert "hc_filed" not in second.cookies  # the first answer's code is not replaced by nothing
    assert Inquiry.objects.count() == 1 and len(mail.outbox) == 1
    other = re.search(r'name="submission" value="([\w-]+)"', client_en.get("/family/inquiry/").content.decode())
    assert other.group(1) != token  # a new form is a new inquiry


@pytest.mark.parametrize("field, value", [
    ("last_name", ""), ("birth_date", "32.13.1990"), ("email", "nope"), ("phone", "12"), ("consent", ""),
    ("relation", "boss"), ("incident_date", "tomorrow"), ("language", "xx"),
])
def test_public_inquiry_form_bad_input(client_en, db, field, value):
    data = {"last_name": "Тестенко", "first_name": "Арсеній", "inquirer_name": "Олена", "relation": "mother",
            "phone": "+380501112233", "language": "en", "consent": "on"}
    data[field] = value
    if not value:
        data.pop(field)
    response = client_en.post("/family/inquiry/", data)
    assert response.status_code == 400
    assert f'href="#id_{field}"' in response.content.decode()
    from homecoming.families.models import Inquiry

    assert not Inquiry.objects.exists() and mail.outbox == []


def test_public_filing_is_limited_per_address(client_en, db, settings):
    from homecoming.families.models import Inquiry

    settings.FAMILIES_FILING_PER_HOUR = 2
    data = {"last_name": "Тестенко", "first_name": "Арсеній", "inquirer_name": "Олена", "relation": "mother",
            "phone": "+380501112233", "language": "en", "consent": "on"}
    for _i in range(2):
        assert client_en.post("/family/inquiry/", data, REMOTE_ADDR="192.0.2.77").status_code == 302
    refused = client_en.post("/family/inquiry/", data, REMOTE_ADDR="192.0.2.77")
    assert refused.status_code == 400 and "Too many inquiries" in refused.content.decode()
    assert Inquiry.objects.count() == 2
    assert client_en.post("/family/inquiry/", data, REMOTE_ADDR="192.0.2.78").status_code == 302


def test_message_links_the_portal_when_configured(file_inquiry, settings):
    settings.FAMILIES_PORTAL_URL = "https://homecoming.example.org/family/"
    file_inquiry()
    assert "https://homecoming.example.org/family/" in mail.outbox[0].body


def test_an_old_hash_is_upgraded_on_the_next_right_code(client_en, file_inquiry):
    """Inquiries filed while the codes were hashed by the password hasher keep working, and get a
    hash of the codes' own hasher after the next right code (a wrong code changes nothing)."""
    from django.contrib.auth.hashers import make_password

    from homecoming.families import codes
    from homecoming.families.models import Inquiry

    filed = file_inquiry()
    old_hash = make_password(codes.normalize_secret(filed.secret), hasher="md5")
    Inquiry.objects.update(secret_hash=old_hash)
    assert "We could not open this inquiry" in _post(client_en, filed.inquiry.reference,
                                                     "AAAA-BBBB-CCCC-DDDD").content.decode()
    assert Inquiry.objects.get().secret_hash == old_hash
    assert "Your inquiry has been received" in _post(client_en, filed.inquiry.reference, filed.secret).content.decode()
    new_hash = Inquiry.objects.get().secret_hash
    assert new_hash.startswith("pbkdf2_sha256_code$") and filed.secret not in new_hash
    assert codes.verify_secret(filed.secret, new_hash)


def test_the_portal_speaks_ukrainian_by_default(client, db):
    html = client.get(URL).content.decode()
    assert "Стежте за своїм зверненням" in html and 'lang="uk"' in html
