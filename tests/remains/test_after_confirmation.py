"""What follows a confirmed identification: the family told in person first, then the death benefit
(payments: an effective-dated rule, approved and paid by two people), the hand-over of the remains
and the burial; and the reversal of a confirmed identification (a DNA result overturns it), by two
people, corrected through the status model, with every consequence undone or flagged, never
silently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homecoming.audit.models import AuditEvent
from homecoming.common.confirm import ChangedSincePreview
from homecoming.common.invariants import broken
from homecoming.families import services as family_services
from homecoming.families.models import Inquiry
from homecoming.families.status import family_state
from homecoming.payments import services as payments
from homecoming.payments.models import DeathBenefit, DeathBenefitRule
from homecoming.registry.models import Person, StatusEvent
from homecoming.remains import services
from homecoming.remains.models import Change, Identification, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user("administrator")


@pytest.fixture
def case_worker(make_user):
    return make_user("case_worker")


@pytest.fixture
def finance(make_user):
    return make_user("finance_officer"), make_user("finance_officer")


@pytest.fixture
def rule(admin):
    return payments.create_death_benefit_rule(admin, {"valid_from": "2024-01-01", "amount": "15000000",
                                                      "note": "Synthetic amount", "demo": True})


@pytest.fixture
def person(make_person):
    return make_person(birth_date="1995-04-02", incident_date="2023-05-01", incident_place="Synthetic village")


@pytest.fixture
def inquiry(person, registrar):
    filed = family_services.file_inquiry(None, {
        "last_name": "Тестенко", "first_name": "Арсеній", "patronymic": "Вигаданович", "birth_date": "1995",
        "service_number": "", "unit": "", "incident_date": "2023-04-20", "incident_place": "",
        "circumstances": "", "inquirer_name": "Олена Тестенко", "relation": "mother", "phone": "",
        "email": "family@example.org", "language": "en", "consent": True})
    family_services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    return Inquiry.objects.select_related("person").get(pk=filed.inquiry.pk)


@pytest.fixture
def confirmed(expert, registrar, remains, person):
    identification = services.open_identification(expert, remains.pk, person.pk, method="documents")
    services.propose_identification(expert, identification.pk)
    identification.refresh_from_db()
    return services.confirm_identification(registrar, identification.pk,
                                           fingerprint=services.confirmation_fingerprint(identification))


def _task(identification, kind):
    return Task.objects.get(identification=identification, kind=kind)


def _state(inquiry):
    return family_state(Inquiry.objects.select_related("person").get(pk=inquiry.pk))


def _tell(actor, identification):
    return services.complete_task(actor, _task(identification, "tell_family").pk, outcome="Told the mother at home")


def _propose_reversal(expert, identification):
    return services.propose_reversal(expert, identification.pk, reason="Kinship test LR-9 excludes the mother")


def _reverse(actor, identification):
    identification = Identification.objects.get(pk=identification.pk)
    return services.reverse_identification(actor, identification.pk,
                                           fingerprint=services.reversal_fingerprint(identification))


def _remains_clean():
    return {k: v for k, v in broken().items() if k.startswith(("remains.", "families.", "registry.", "payments."))}


# --- the tasks after confirmation ---------------------------------------------------------------

def test_confirmation_creates_telling_hand_over_and_burial_in_that_order(confirmed):
    assert list(confirmed.tasks.values_list("kind", flat=True)) == ["tell_family", "hand_over", "burial"]


def test_the_hand_over_names_its_day_and_recipient_and_waits_for_the_telling(confirmed, case_worker):
    hand_over = _task(confirmed, "hand_over")
    with pytest.raises(ValidationError, match="told in person first"):
        services.complete_task(case_worker, hand_over.pk, outcome="x", happened_on=dt.date.today(), recipient="M")
    _tell(case_worker, confirmed)
    for bad, field in (({"recipient": "Synthetic Mother"}, "happened_on"),
                       ({"happened_on": dt.date.today()}, "recipient"),
                       ({"happened_on": dt.date.today() + dt.timedelta(days=1), "recipient": "M"}, "happened_on"),
                       ({"happened_on": dt.date(2020, 1, 1), "recipient": "M"}, "happened_on")):
        with pytest.raises(ValidationError) as caught:
            services.complete_task(case_worker, hand_over.pk, outcome="Handed over", **bad)
        assert field in caught.value.message_dict
        assert Task.objects.get(pk=hand_over.pk).state == "open"
    done = services.complete_task(case_worker, hand_over.pk, outcome="Handed over at the morgue",
                                  happened_on=dt.date.today(), recipient="Synthetic Mother")
    assert (done.state, done.happened_on, done.recipient) == ("done", dt.date.today(), "Synthetic Mother")
    assert Change.objects.filter(object_type="identification_task", object_id=done.pk).exists()
    assert AuditEvent.objects.filter(action="identification.task_done", object_id=str(done.pk)).exists()
    with pytest.raises(ValidationError, match="place"):
        services.complete_task(case_worker, _task(confirmed, "burial").pk, outcome="Buried",
                               happened_on=dt.date.today())
    services.complete_task(case_worker, _task(confirmed, "burial").pk, outcome="Buried",
                           happened_on=dt.date.today(), place="Synthetic cemetery")
    assert _remains_clean() == {}


def test_an_analyst_cannot_complete_a_task(confirmed, make_user):
    with pytest.raises(PermissionDenied):
        _tell(make_user("analyst"), confirmed)
    assert _task(confirmed, "tell_family").state == "open"


# --- the death benefit --------------------------------------------------------------------------

def test_the_benefit_arises_only_when_the_family_is_told_with_the_rule_of_the_date_of_death(
        confirmed, rule, case_worker, admin):
    later = payments.create_death_benefit_rule(admin, {"valid_from": "2026-01-01", "amount": "20000000"})
    assert not DeathBenefit.objects.exists()
    _tell(case_worker, confirmed)
    benefit = DeathBenefit.objects.get()
    assert (benefit.person_id, benefit.identification_id, benefit.death_event_id) == (
        confirmed.person_id, confirmed.pk, confirmed.death_event_id)
    assert (benefit.rule, benefit.amount, benefit.state) == (rule, Decimal("15000000.00"), "due")
    assert DeathBenefitRule.objects.get(pk=rule.pk).used_at is not None
    assert DeathBenefitRule.objects.get(pk=later.pk).used_at is None
    assert "demo data" in str(rule)
    assert AuditEvent.objects.filter(action="payments.death_benefit_arise", object_id=str(benefit.pk)).exists()
    assert _remains_clean() == {}


def test_a_used_rule_never_changes(confirmed, rule, case_worker):
    from homecoming.payments.models import RuleSetInUse

    _tell(case_worker, confirmed)
    rule = DeathBenefitRule.objects.get(pk=rule.pk)
    rule.amount = Decimal("1")
    with pytest.raises(RuleSetInUse):
        rule.save()
    assert DeathBenefitRule.objects.get(pk=rule.pk).amount == Decimal("15000000.00")


def test_bad_rule_input_changes_nothing(admin, rule):
    with pytest.raises(ValidationError) as caught:
        payments.create_death_benefit_rule(admin, {"valid_from": "2024-01-01", "amount": "-5"})
    assert set(caught.value.message_dict) == {"valid_from", "amount"}
    assert DeathBenefitRule.objects.count() == 1


def test_approved_by_one_finance_officer_and_paid_by_another(confirmed, rule, case_worker, finance):
    first, second = finance
    _tell(case_worker, confirmed)
    benefit = DeathBenefit.objects.get()
    with pytest.raises(ValidationError, match="Only an approved"):
        payments.mark_death_benefit_paid(second, benefit.pk)
    with pytest.raises(ValidationError, match="family member"):
        payments.approve_death_benefit(first, benefit.pk, recipient=" ")
    payments.approve_death_benefit(first, benefit.pk, recipient="Synthetic Mother", iban="UA00 0000 0000")
    with pytest.raises(PermissionDenied, match="second person"):
        payments.mark_death_benefit_paid(first, benefit.pk)
    assert DeathBenefit.objects.get(pk=benefit.pk).state == "approved"
    paid = payments.mark_death_benefit_paid(second, benefit.pk)
    assert (paid.state, paid.paid_by, paid.approved_by) == ("paid", second, first)
    assert _remains_clean() == {}


def test_without_a_rule_the_benefit_waits_and_approval_needs_one(confirmed, case_worker, finance, admin):
    _tell(case_worker, confirmed)
    benefit = DeathBenefit.objects.get()
    assert benefit.amount is None
    with pytest.raises(ValidationError, match="No death benefit rule"):
        payments.approve_death_benefit(finance[0], benefit.pk, recipient="Synthetic Mother")
    assert DeathBenefit.objects.get(pk=benefit.pk).state == "due"
    payments.create_death_benefit_rule(admin, {"valid_from": "2020-01-01", "amount": "100"})
    assert payments.approve_death_benefit(finance[0], benefit.pk, recipient="M").amount == Decimal("100.00")


# --- reversal -------------------------------------------------------------------------------------

def test_reversal_needs_two_people_and_a_reason(confirmed, expert, registrar, make_user):
    with pytest.raises(ValidationError, match="proposes the reversal first"):
        _reverse(registrar, confirmed)
    with pytest.raises(ValidationError, match="Say why"):
        services.propose_reversal(expert, confirmed.pk, reason=" ")
    with pytest.raises(PermissionDenied):
        _propose_reversal(registrar, confirmed)
    both = make_user("forensic_expert", "registrar")
    _propose_reversal(both, confirmed)
    with pytest.raises(PermissionDenied, match="second person"):
        _reverse(both, confirmed)
    with pytest.raises(PermissionDenied):
        _reverse(expert, confirmed)
    with pytest.raises(ChangedSincePreview):
        services.reverse_identification(registrar, confirmed.pk, fingerprint="stale")
    identification = Identification.objects.get(pk=confirmed.pk)
    assert identification.state == "confirmed"
    assert Person.objects.get(pk=confirmed.person_id).current_status == "deceased"


def test_reversal_corrects_the_death_and_cancels_tasks_and_the_unpaid_benefit(
        confirmed, expert, registrar, case_worker, rule, finance, inquiry):
    _tell(case_worker, confirmed)
    payments.approve_death_benefit(finance[0], DeathBenefit.objects.get().pk, recipient="Synthetic Mother")
    assert _state(inquiry) == "deceased"
    _propose_reversal(expert, confirmed)
    reversed_ = _reverse(registrar, confirmed)
    assert reversed_.state == "reversed" and reversed_.reversed_by == registrar
    # a correction, never a deletion
    death = StatusEvent.objects.get(pk=confirmed.death_event_id)
    correction = StatusEvent.objects.get(pk=reversed_.correction_event_id)
    assert correction.corrects_id == death.pk and correction.managed_by == "remains"
    assert (correction.status, correction.effective_date) == ("missing", dt.date(2023, 5, 1))
    assert Person.objects.get(pk=confirmed.person_id).current_status == "missing"
    kinds = dict(Task.objects.filter(identification=confirmed).values_list("kind", "state"))
    assert kinds == {"tell_family": "done", "hand_over": "cancelled", "burial": "cancelled",
                     "tell_reversal": "open"}
    benefit = DeathBenefit.objects.get()
    assert benefit.state == "cancelled" and "reversed" in benefit.cancel_reason and benefit.flagged_at is None
    for action in ("identification.reversal_propose", "identification.reverse", "identification.task_cancel",
                   "payments.death_benefit_cancel"):
        assert AuditEvent.objects.filter(action=action).exists(), action
    # the family had been told of the death: the portal asks them to come in, never shows the correction
    assert _state(inquiry) == "contact_us"
    assert _remains_clean() == {}
    with pytest.raises(ValidationError, match="cancelled"):
        services.complete_task(case_worker, _task(confirmed, "hand_over").pk, outcome="x",
                               happened_on=dt.date.today(), recipient="M")
    services.complete_task(case_worker, _task(confirmed, "tell_reversal").pk, outcome="Told the mother")
    assert _state(inquiry) == "missing"
    assert AuditEvent.objects.filter(action="inquiry.reversal_told_in_person").exists()
    assert _remains_clean() == {}


def test_a_paid_benefit_is_flagged_for_finance_never_silently(confirmed, expert, registrar, case_worker, rule,
                                                              finance):
    _tell(case_worker, confirmed)
    benefit = DeathBenefit.objects.get()
    payments.approve_death_benefit(finance[0], benefit.pk, recipient="Synthetic Mother")
    payments.mark_death_benefit_paid(finance[1], benefit.pk)
    _propose_reversal(expert, confirmed)
    _reverse(registrar, confirmed)
    benefit = DeathBenefit.objects.get()
    assert benefit.state == "paid" and benefit.flagged_at is not None and "reversed" in benefit.flag_reason
    assert AuditEvent.objects.filter(action="payments.death_benefit_flag", object_id=str(benefit.pk)).exists()
    assert _remains_clean() == {}
    with pytest.raises(ValidationError, match="how it was settled"):
        payments.settle_flagged_death_benefit(finance[0], benefit.pk, note=" ")
    settled = payments.settle_flagged_death_benefit(finance[0], benefit.pk, note="Recovered from the account")
    assert settled.settled_at and settled.flagged_at


def test_a_reversal_before_the_family_was_told_shows_them_nothing(confirmed, expert, registrar, inquiry):
    assert _state(inquiry) == "missing"  # the untold identification shows nothing new
    _propose_reversal(expert, confirmed)
    _reverse(registrar, confirmed)
    assert _state(inquiry) == "missing"
    assert not Task.objects.filter(identification=confirmed, kind="tell_reversal").exists()
    assert set(Task.objects.filter(identification=confirmed).values_list("state", flat=True)) == {"cancelled"}
    assert not DeathBenefit.objects.exists()
    assert _remains_clean() == {}


def test_after_a_reversal_the_remains_and_the_person_can_be_identified_again(confirmed, expert, registrar,
                                                                             make_person):
    _propose_reversal(expert, confirmed)
    _reverse(registrar, confirmed)
    other = make_person(last="Іншенко")
    again = services.open_identification(expert, confirmed.remains_id, other.pk, method="dna")
    assert again.state == "pending"
    with pytest.raises(ValidationError, match="Only a confirmed"):
        _propose_reversal(expert, confirmed)


def test_the_registrar_still_cannot_correct_the_remains_events_by_hand(confirmed, expert, registrar):
    from homecoming.registry import services as registry_services

    _propose_reversal(expert, confirmed)
    reversed_ = _reverse(registrar, confirmed)
    with pytest.raises(ValidationError, match="identification of remains"):
        registry_services.add_status_event(registrar, confirmed.person_id, status="captivity_confirmed",
                                           effective_date="2023-06-01", source_kind="unit_report",
                                           corrects=reversed_.correction_event_id, exception_reason="by hand")


def test_a_merge_that_would_move_forensic_records_is_refused(confirmed, registrar, make_person):
    from homecoming.registry import services as registry_services

    survivor = make_person(last="Тестенко", first="Арсеній")
    duplicate = Person.objects.get(pk=confirmed.person_id)
    keep = dict.fromkeys(registry_services.merge_conflicts(survivor, duplicate), "survivor")
    with pytest.raises(ValidationError, match="forensic records"):
        registry_services.merge_persons(registrar, survivor.pk, duplicate.pk, keep=keep,
                                        confirm=registry_services.merge_fingerprint(survivor, duplicate))
    assert Person.objects.get(pk=duplicate.pk).merged_into_id is None
    assert StatusEvent.objects.get(pk=confirmed.death_event_id).person_id == duplicate.pk
