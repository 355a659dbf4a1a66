import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.db.models import F
from django.urls import reverse

from homecoming.payments import services
from homecoming.payments.models import Batch, LedgerEntry, PayData

pytestmark = pytest.mark.django_db

ROLES = ("registrar", "analyst", "negotiator", "medical_officer", "case_worker", "finance_officer", "administrator")
IBAN = "UA213223130000026007233566001"


@pytest.fixture
def person(make_returnee):
    return make_returnee(captured=dt.date(2023, 1, 1), returned=dt.date(2023, 3, 1))


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(client_for, person, role):
    client = client_for(role)
    for url in (reverse("payments:home"), reverse("payments:person", args=[person.pk])):
        assert client.get(url).status_code == (200 if role == "finance_officer" else 403), url
    # rule sets: finance officers read them, administrators keep them
    expected = 200 if role in ("finance_officer", "administrator") else 403
    assert client.get(reverse("payments:rules")).status_code == expected


def test_payment_data_hidden_without_view_payment_data(client_for, make_user, person):
    officer = client_for("finance_officer")
    services.set_payment_profile(officer.user, person.pk, iban=IBAN, account_holder="Тестовий", capture_precision="day")
    assert IBAN in officer.get(reverse("payments:person", args=[person.pk])).content.decode()
    from django.test import Client

    viewer = make_user()
    viewer.user_permissions.add(Permission.objects.get(codename="view_entitlement"))
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("payments:person", args=[person.pk])).content.decode()
    assert IBAN not in page and "payment-data" not in page
    assert client.post(reverse("payments:pay_data_add", args=[person.pk]),
                       {"valid_from": "2020-01-01", "monthly_amount": "1"}).status_code == 403


def test_forms_name_the_bad_field_and_change_nothing(client_for, person):
    officer = client_for("finance_officer")
    response = officer.post(reverse("payments:pay_data_add", args=[person.pk]),
                            {"valid_from": "01.01.2020", "monthly_amount": "lots"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter a date as YYYY-MM-DD" in text and "Enter an amount in hryvnias" in text
    assert not PayData.objects.exists()
    response = officer.post(reverse("payments:compute", args=[person.pk]))
    assert response.status_code == 400 and "no pay data in force on 2023-01-01" in response.content.decode()


def test_whole_flow_through_pages(client_for, person):
    first, second = client_for("finance_officer"), client_for("finance_officer")
    first.post(reverse("payments:pay_data_add", args=[person.pk]), {"valid_from": "2020-01-01",
                                                                    "monthly_amount": "3100"})
    first.post(reverse("payments:profile_set", args=[person.pk]), {"iban": IBAN, "account_holder": "Тестовий",
                                                                   "capture_precision": "day"})
    assert first.post(reverse("payments:compute", args=[person.pk])).status_code == 302
    page = first.get(reverse("payments:person", args=[person.pk])).content.decode()
    # 1 Jan .. 28 Feb 2023 = 59 days: 100000 + 59/365 * 100000 (16164.38) + 2 * 3100 = 122364.38
    assert "122364.38" in page
    response = first.post(reverse("payments:batch_prepare"))
    batch = Batch.objects.get()
    assert response.status_code == 302
    own = first.post(reverse("payments:batch_approve", args=[batch.pk]), follow=True)
    assert "a different finance officer must approve" in own.content.decode()
    batch.refresh_from_db()
    assert batch.state == "prepared"
    assert first.get(reverse("payments:batch_export", args=[batch.pk])).status_code == 302  # not approved yet
    page = second.get(reverse("payments:batch", args=[batch.pk])).content.decode()
    assert "Approve UAH 122364.38" in page and "I have checked the 1 line above" in page
    fingerprint = re.search(r'name="confirm" value="(\w+)"', page).group(1)
    unchecked = second.post(reverse("payments:batch_approve", args=[batch.pk]), {"confirm": fingerprint},
                            follow=True)
    assert "Tick that you have checked every line" in unchecked.content.decode()
    batch.refresh_from_db()
    assert batch.state == "prepared" and not LedgerEntry.objects.exists()
    second.post(reverse("payments:batch_approve", args=[batch.pk]), {"confirm": fingerprint, "checked": "yes"})
    batch.refresh_from_db()
    assert batch.state == "approved"
    csv = second.get(reverse("payments:batch_export", args=[batch.pk]))
    assert csv.status_code == 200 and "122364.38" in csv.content.decode("utf-8-sig")
    page = first.get(reverse("payments:batch", args=[batch.pk])).content.decode()
    fingerprint = re.search(r'name="confirm" value="(\w+)"', page).group(1)
    first.post(reverse("payments:batch_paid", args=[batch.pk]), {"confirm": fingerprint, "checked": "yes"})
    batch.refresh_from_db()
    assert batch.state == "paid"
    home = first.get(reverse("payments:home")).content.decode()
    assert "122364.38" in home


def test_reject_needs_a_reason(client_for, person):
    first, second = client_for("finance_officer"), client_for("finance_officer")
    services.add_pay_data(first.user, person.pk, valid_from="2020-01-01", monthly_amount="1")
    services.set_payment_profile(first.user, person.pk, iban=IBAN, account_holder="", capture_precision="day")
    services.compute_entitlement(first.user, person.pk)
    batch = services.prepare_batch(first.user)
    response = second.post(reverse("payments:batch_reject", args=[batch.pk]), {"reason": ""})
    assert response.status_code == 400
    batch.refresh_from_db()
    assert batch.state == "prepared"


def test_rule_set_page_for_administrators_only_to_add(client_for):
    finance = client_for("finance_officer")
    assert finance.post(reverse("payments:rules"), {"valid_from": "2030-01-01"}).status_code == 403


def test_approving_lines_other_than_those_shown_is_refused(client_for, person):
    """The approver's page showed one total; a line changed before the click: nothing is approved."""
    first, second = client_for("finance_officer"), client_for("finance_officer")
    services.add_pay_data(first.user, person.pk, valid_from="2020-01-01", monthly_amount="1")
    services.set_payment_profile(first.user, person.pk, iban=IBAN, account_holder="", capture_precision="day")
    services.compute_entitlement(first.user, person.pk)
    batch = services.prepare_batch(first.user)
    page = second.get(reverse("payments:batch", args=[batch.pk])).content.decode()
    fingerprint = re.search(r'name="confirm" value="(\w+)"', page).group(1)
    batch.lines.update(amount=F("amount") + 1000)  # what the approver did not see
    response = second.post(reverse("payments:batch_approve", args=[batch.pk]),
                           {"confirm": fingerprint, "checked": "yes"}, follow=True)
    assert "changed since you looked at it" in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == "prepared" and not LedgerEntry.objects.exists()



def test_the_returnees_are_paged_and_searchable(client_for, make_returnee):
    """Issue 19: the payments list was 203 rows on one page with no search."""
    from homecoming.audit.models import AuditEvent
    from homecoming.payments.selectors import RETURNEES_PER_PAGE

    people = [make_returnee(captured=dt.date(2023, 1, 1), returned=dt.date(2023, 3, 1))
              for _ in range(RETURNEES_PER_PAGE + 2)]
    officer = client_for("finance_officer")
    first = officer.get(reverse("payments:home")).content.decode()
    shown = set(re.findall(r'href="/payments/persons/(\d+)/"', first))
    assert len(shown) == RETURNEES_PER_PAGE and 'rel="next"' in first
    second = officer.get(reverse("payments:home") + "?page=2").content.decode()
    assert len(set(re.findall(r'href="/payments/persons/(\d+)/"', second))) == 2

    target = people[7]
    found = officer.get(reverse("payments:home"), {"q": target.reference}).content.decode()
    assert set(re.findall(r'href="/payments/persons/(\d+)/"', found)) == {str(target.pk)}
    by_name = officer.get(reverse("payments:home"), {"q": f"{target.last_name} {target.first_name}"}).content.decode()
    assert str(target.pk) in set(re.findall(r'href="/payments/persons/(\d+)/"', by_name))
    nothing = officer.get(reverse("payments:home"), {"q": "Zzyzx Qqq"}).content.decode()
    assert "No returnee matches." in nothing
    read = AuditEvent.objects.filter(action="payments.home_view").order_by("-id").first()
    assert read.details["q"] == "Zzyzx Qqq"
