import datetime as dt

import pytest

from homecoming.payments import services
from homecoming.payments.models import LedgerEntry

pytestmark = pytest.mark.django_db
IBAN = "UA213223130000026007233566001"


@pytest.fixture
def prepared(make_returnee, client_for):
    first = client_for("finance_officer")
    person = make_returnee(captured=dt.date(2023, 1, 1), returned=dt.date(2023, 3, 1))
    services.add_pay_data(first.user, person.pk, valid_from="2020-01-01", monthly_amount="3100")
    services.set_payment_profile(first.user, person.pk, iban=IBAN, account_holder="Тестовий", capture_precision="day")
    services.compute_entitlement(first.user, person.pk)
    return first, person, services.prepare_batch(first.user)


@pytest.mark.parametrize("role", ["case_worker", "medical_officer", "registrar", "administrator"])
def test_payment_api_forbidden_to_other_roles(client_for, prepared, role):
    client = client_for(role)
    _, person, batch = prepared
    assert client.get(f"/api/v1/payments/entitlements/{person.pk}/").status_code == 403
    assert client.get("/api/v1/payments/batches/").status_code == 403
    assert client.get("/api/v1/payments/report/").status_code == 403
    assert client.post(f"/api/v1/payments/batches/{batch.pk}/approve/").status_code == 403


def test_entitlement_and_four_eyes_in_the_api(client_for, prepared):
    first, person, batch = prepared
    data = first.get(f"/api/v1/payments/entitlements/{person.pk}/").json()
    # 100000 + 59/365 * 100000 (16164.38) + 2 * 3100 = 122364.38
    assert data["total"] == "122364.38" and sum(float(x["amount"]) for x in data["lines"]) == pytest.approx(122364.38)
    own = first.post(f"/api/v1/payments/batches/{batch.pk}/approve/")
    assert own.status_code == 403 and not LedgerEntry.objects.exists()
    second = client_for("finance_officer")
    assert second.post(f"/api/v1/payments/batches/{batch.pk}/approve/").status_code == 200
    again = client_for("finance_officer").post(f"/api/v1/payments/batches/{batch.pk}/approve/")
    assert again.status_code == 400 and "batch" in again.json()["errors"]
    assert LedgerEntry.objects.count() == 1
    assert first.get("/api/v1/payments/report/").json()["total"]["approved"] == "122364.38"
    assert first.get("/api/v1/payments/batches/").json()["results"][0]["lines"][0]["iban"] == IBAN
