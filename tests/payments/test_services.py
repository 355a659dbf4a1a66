import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from homecoming.payments import services
from homecoming.payments.models import (
    Batch,
    BatchLine,
    BatchState,
    Due,
    DueKind,
    Entitlement,
    LedgerEntry,
    LedgerEntryImmutable,
    PayData,
    RuleSet,
    RuleSetInUse,
)

pytestmark = pytest.mark.django_db

IBAN = "UA213223130000026007233566001"  # a valid (check digits) synthetic IBAN


@pytest.fixture
def finance(make_user):
    return make_user("finance_officer"), make_user("finance_officer")


@pytest.fixture
def paid_returnee(make_returnee, finance):
    """Captured 15 Apr 2022, returned 31 May 2024, 20000 a month, 50000 paid to the family."""
    officer = finance[0]
    person = make_returnee(captured=dt.date(2022, 4, 15), returned=dt.date(2024, 5, 31))
    services.add_pay_data(officer, person.pk, valid_from="2020-01-01", monthly_amount="20000")
    services.add_family_payment(officer, person.pk, paid_on="2023-01-10", amount="50000", reference="synthetic")
    services.set_payment_profile(officer, person.pk, iban=IBAN, account_holder="Тестовий Синтетичний",
                                 capture_precision="day")
    return person


def test_compute_with_the_initial_rules(paid_returnee, finance):
    ent = services.compute_entitlement(finance[0], paid_returnee.pk)
    # 100000 once + 2 whole years (200000) + 46/365 of a year (12602.74, pro rata in the initial rules)
    # + allowance 10666.67 + 24 * 20000 + 19354.84 - 50000 paid to the family = 772624.25
    assert ent.total == D("772624.25")
    assert ent.exchange_label == "Istanbul 2025 · 2"
    assert sum(line.amount for line in ent.lines.all()) == ent.total
    (due,) = ent.dues.all()
    assert (due.kind, due.amount) == (DueKind.ENTITLEMENT, D("772624.25"))
    assert RuleSet.objects.get(valid_from=dt.date(2014, 2, 20)).used_at is not None
    # computing again with nothing changed creates nothing
    services.compute_entitlement(finance[0], paid_returnee.pk)
    assert ent.dues.count() == 1


def test_compute_errors_name_what_is_missing(make_returnee, finance):
    person = make_returnee()
    with pytest.raises(ValidationError) as err:
        services.compute_entitlement(finance[0], person.pk)
    assert "pay_data" in err.value.message_dict and "2022-04-15" in str(err.value)
    assert not Entitlement.objects.exists()


def test_used_rule_set_never_changes(paid_returnee, finance, make_user):
    admin = make_user("administrator")
    services.compute_entitlement(finance[0], paid_returnee.pk)
    rules = RuleSet.objects.get(valid_from=dt.date(2014, 2, 20))
    with pytest.raises(RuleSetInUse):
        services.update_rule_set(admin, rules.pk, {"per_year_amount": "1"})
    rules.per_year_amount = D("1")
    with pytest.raises(RuleSetInUse):  # the model refuses too
        rules.save()
    with pytest.raises(RuleSetInUse):
        rules.delete()
    assert RuleSet.objects.get(pk=rules.pk).per_year_amount == D("100000.00")
    fresh = services.create_rule_set(admin, {"valid_from": "2030-01-01", "one_time_amount": "1",
                                             "per_year_amount": "2", "part_year": "whole"})
    services.update_rule_set(admin, fresh.pk, {"per_year_amount": "3"})  # not used yet: may change
    assert RuleSet.objects.get(pk=fresh.pk).per_year_amount == D("3")


@pytest.mark.parametrize("data, field", [
    ({"valid_from": "1.1.2025"}, "valid_from"),
    ({"one_time_amount": "abc"}, "one_time_amount"),
    ({"per_year_amount": "-5"}, "per_year_amount"),
    ({"per_year_amount": "1.005"}, "per_year_amount"),
    ({"part_year": "sometimes"}, "part_year"),
    ({"valid_from": "2014-02-20"}, "valid_from"),  # one already exists from that date
])
def test_bad_rule_set_is_refused(make_user, data, field):
    before = RuleSet.objects.count()
    good = {"valid_from": "2031-01-01", "one_time_amount": "1", "per_year_amount": "1", "part_year": "whole"}
    with pytest.raises(ValidationError) as err:
        services.create_rule_set(make_user("administrator"), {**good, **data})
    assert field in err.value.message_dict
    assert RuleSet.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.create_rule_set(make_user("finance_officer"), good)


@pytest.mark.parametrize("call, field", [
    (lambda o, p: services.add_pay_data(o, p, valid_from="2024-13-01", monthly_amount="1"), "valid_from"),
    (lambda o, p: services.add_pay_data(o, p, valid_from="2024-01-01", monthly_amount="0"), "monthly_amount"),
    (lambda o, p: services.add_family_payment(o, p, paid_on="2023-01-01", amount="x"), "amount"),
    (lambda o, p: services.add_family_payment(o, p, paid_on="2999-01-01", amount="1"), "paid_on"),
    (lambda o, p: services.set_payment_profile(o, p, iban="UA213223130000026007233566002", account_holder="",
                                               capture_precision="day"), "iban"),
    (lambda o, p: services.set_payment_profile(o, p, iban="", account_holder="", capture_precision="week"),
     "capture_precision"),
])
def test_bad_payment_data_is_refused(make_returnee, finance, call, field):
    person = make_returnee()
    with pytest.raises(ValidationError) as err:
        call(finance[0], person.pk)
    assert field in err.value.message_dict
    assert not PayData.objects.exists() and not person.family_payments.exists()


def test_payment_data_needs_permission(make_returnee, make_user):
    person = make_returnee()
    for role in ("case_worker", "medical_officer", "registrar", "administrator"):
        with pytest.raises(PermissionDenied):
            services.add_pay_data(make_user(role), person.pk, valid_from="2020-01-01", monthly_amount="1")
        with pytest.raises(PermissionDenied):
            services.compute_entitlement(make_user(role), person.pk)


def test_capture_known_only_to_the_month(make_returnee, finance):
    officer = finance[0]
    person = make_returnee(captured=dt.date(2023, 7, 19), returned=dt.date(2023, 9, 16))
    services.add_pay_data(officer, person.pk, valid_from="2020-01-01", monthly_amount="20000")
    services.set_payment_profile(officer, person.pk, iban="", account_holder="", capture_precision="month")
    ent = services.compute_entitlement(officer, person.pk)
    assert (ent.recorded_capture_date, ent.capture_date, ent.days) == (dt.date(2023, 7, 19), dt.date(2023, 7, 1), 77)
    # 100000 + 77/366 * 100000 (21038.25) + 20000 + 20000 + 15/30 * 20000 (10000) = 171038.25
    assert ent.total == D("171038.25")


def test_four_eyes_and_ledger(paid_returnee, finance, make_user):
    first, second = finance
    services.compute_entitlement(first, paid_returnee.pk)
    batch = services.prepare_batch(first)
    assert batch.total == D("772624.25") and batch.lines.count() == 1
    with pytest.raises(PermissionDenied):  # the same person cannot approve, whatever their roles
        services.approve_batch(first, batch.pk)
    with pytest.raises(PermissionDenied):
        services.approve_batch(make_user("case_worker"), batch.pk)
    assert Batch.objects.get(pk=batch.pk).state == BatchState.PREPARED and not LedgerEntry.objects.exists()
    services.approve_batch(second, batch.pk)
    entry = LedgerEntry.objects.get()
    assert (entry.amount, entry.iban, entry.batch_id) == (D("772624.25"), IBAN, batch.pk)
    with pytest.raises(ValidationError):  # approving again
        services.approve_batch(make_user("finance_officer"), batch.pk)
    with pytest.raises(ValidationError):  # nothing left to put in a new batch
        services.prepare_batch(first)
    with pytest.raises(LedgerEntryImmutable):
        entry.amount = D("1")
        entry.save()
    with pytest.raises(LedgerEntryImmutable):
        entry.delete()
    # a second ledger entry for the same due is refused by the database
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(due=entry.due, batch=batch, person=paid_returnee, amount=D("1"), iban=IBAN,
                                   name="x", purpose="x")
    services.mark_batch_paid(first, batch.pk)
    assert Batch.objects.get(pk=batch.pk).state == BatchState.PAID


def test_change_after_approval_creates_a_visible_adjustment(paid_returnee, finance, registrar):
    from homecoming.registry import services as registry

    first, second = finance
    services.compute_entitlement(first, paid_returnee.pk)
    services.approve_batch(second, services.prepare_batch(first).pk)
    # a new payment to the family is found: the approved amount stays, an adjustment of -1000 appears
    services.add_family_payment(first, paid_returnee.pk, paid_on="2023-02-10", amount="1000")
    ent = services.compute_entitlement(first, paid_returnee.pk)
    approved, adjustment = ent.dues.order_by("id")
    assert approved.amount == D("772624.25") and approved.ledger_entry.amount == D("772624.25")
    assert (adjustment.kind, adjustment.amount, adjustment.previous_total, adjustment.new_total) == (
        DueKind.ADJUSTMENT, D("-1000.00"), D("772624.25"), D("771624.25"))
    # the return date is corrected to a day later: +1 day of allowance (31 May: 20000/31 = 645.16) and
    # +1/365 of a year (273.97): the pro-rata year 46 -> 47 days: 12876.71 - 12602.74 = 273.97
    event = paid_returnee.status_events.get(status="returned")
    registry.add_status_event(registrar, paid_returnee.pk, status="returned", effective_date=dt.date(2024, 6, 1),
                              source_kind="exchange_record", corrects=event.pk)
    ent = services.compute_entitlement(first, paid_returnee.pk)
    last = ent.dues.order_by("id").last()
    assert last.amount == D("645.16") + D("273.97")
    assert ent.total == D("771624.25") + last.amount
    batch = services.prepare_batch(first)
    assert sorted(line.amount for line in batch.lines.all()) == sorted([D("-1000.00"), last.amount])


def test_rules_changing_during_captivity_use_each_rule(make_returnee, finance, make_user):
    officer = finance[0]
    services.create_rule_set(make_user("administrator"), {
        "valid_from": "2024-01-01", "one_time_amount": "150000", "per_year_amount": "120000", "part_year": "whole"})
    person = make_returnee(captured=dt.date(2023, 7, 1), returned=dt.date(2024, 9, 1))
    services.add_pay_data(officer, person.pk, valid_from="2023-01-01", monthly_amount="10000")
    ent = services.compute_entitlement(officer, person.pk)
    per_year = [line for line in ent.lines.all() if line.kind == "per_year"]
    # 184/366 * 100000 = 50273.22 (old rules) + 182/366 * 120000 = 59672.13 (new rules); the started year
    # (62 days) counts nothing under "whole years only"
    assert [(line.rule_set.valid_from.year, line.amount) for line in per_year] == [
        (2014, D("50273.22")), (2024, D("59672.13")), (2024, D("0.00"))]
    # 150000 + 50273.22 + 59672.13 + 14 months (Jul 2023 .. Aug 2024) * 10000 = 399945.35
    assert ent.total == D("399945.35")


def test_reject_frees_the_dues(paid_returnee, finance):
    first, second = finance
    services.compute_entitlement(first, paid_returnee.pk)
    batch = services.prepare_batch(first)
    with pytest.raises(ValidationError) as err:
        services.reject_batch(second, batch.pk, reason="")
    assert "reason" in err.value.message_dict
    services.reject_batch(second, batch.pk, reason="wrong account")
    again = services.prepare_batch(first)
    assert again.lines.get().due_id == batch.lines.get().due_id


def test_no_iban_no_batch(make_returnee, finance):
    officer = finance[0]
    person = make_returnee()
    services.add_pay_data(officer, person.pk, valid_from="2020-01-01", monthly_amount="1000")
    services.compute_entitlement(officer, person.pk)
    with pytest.raises(ValidationError) as err:
        services.prepare_batch(officer)
    assert "due_ids" in err.value.message_dict
    assert not Batch.objects.exists()


def test_csv_export_neutralises_formulas(paid_returnee, finance):
    first, second = finance
    services.set_payment_profile(first, paid_returnee.pk, iban=IBAN, account_holder="=HYPERLINK(\"x\")",
                                 capture_precision="day")
    services.compute_entitlement(first, paid_returnee.pk)
    batch = services.prepare_batch(first)
    with pytest.raises(ValidationError):  # not approved yet: not for the bank
        services.export_batch_csv(first, batch.pk)
    services.approve_batch(second, batch.pk)
    text = services.export_batch_csv(first, batch.pk)
    header, row = text.strip().split("\r\n")
    assert header == "iban,name,amount,purpose"
    assert row.startswith(f"{IBAN},\"'=HYPERLINK(\"\"x\"\")\",772624.25,")
    assert services.neutralise("-1") == "'-1" and services.neutralise("@x") == "'@x"


def test_report_by_exchange(paid_returnee, finance, make_returnee):
    first, second = finance
    services.compute_entitlement(first, paid_returnee.pk)
    other = make_returnee(status="released_other", captured=dt.date(2024, 1, 1), returned=dt.date(2024, 3, 1))
    services.add_pay_data(first, other.pk, valid_from="2020-01-01", monthly_amount="3100")
    services.compute_entitlement(first, other.pk)
    services.approve_batch(second, services.prepare_batch(first).pk)
    from homecoming.payments.selectors import report

    data = report()
    rows = {r["exchange"]: r for r in data["rows"]}
    assert rows["Istanbul 2025 · 2"]["approved"] == D("772624.25")
    # 1 Jan .. 29 Feb 2024 = 60 days: 100000 + 60/366 * 100000 (16393.44) + 2 * 3100 = 122593.44
    assert rows[""]["owed"] == D("122593.44")
    assert data["total"]["owed"] + data["total"]["approved"] == D("772624.25") + D("122593.44")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_the_same_moment_pay_once(initial_data, paid_returnee, finance, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")
    first, second = finance
    third = make_user("finance_officer")
    services.compute_entitlement(first, paid_returnee.pk)
    batch = services.prepare_batch(first)
    barrier = threading.Barrier(2)
    results = []

    def approve(user):
        from django.db import connection as conn

        try:
            barrier.wait()
            services.approve_batch(user, batch.pk)
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            conn.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (second, third)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert LedgerEntry.objects.count() == 1
    assert Due.objects.count() == 1


def test_bank_file_has_no_formula_after_a_delimiter(paid_returnee, finance):
    from tests.core.test_cells import formula_pieces

    first, second = finance
    services.set_payment_profile(first, paid_returnee.pk, iban=IBAN, account_holder="Тестовий;=1+1;",
                                 capture_precision="day")
    services.compute_entitlement(first, paid_returnee.pk)
    batch = services.prepare_batch(first)
    services.approve_batch(second, batch.pk)
    text = services.export_batch_csv(first, batch.pk)
    assert "1+1" in text
    assert not formula_pieces(text), formula_pieces(text)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_prepare_the_same_dues_at_once(initial_data, paid_returnee, finance, monkeypatch):
    """The second is told the amounts are already in the other's batch: one batch, no 500."""
    from homecoming.payments.services import batches
    from tests.concurrency import collide, require_postgres, slow

    require_postgres()
    first, second = finance
    services.compute_entitlement(first, paid_returnee.pk)
    slow(monkeypatch, batches, "record")  # the module whose audit write prepare_batch waits in
    outcomes = collide(lambda: services.prepare_batch(first), lambda: services.prepare_batch(second))
    kinds = sorted(kind for kind, _detail in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert "another batch" in refused, refused
    assert Batch.objects.count() == 1
    assert BatchLine.objects.filter(active=True).count() == Due.objects.count()
