"""`homecoming demo-data`: deterministic, idempotent, consistent, one audit event for the load."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import verify_chain
from homecoming.registry.demo import tax_number
from homecoming.registry.keys import name_keys
from homecoming.registry.models import AlternativeName, Person, PersonNameKey, StatusEvent
from homecoming.registry.selectors import search_persons, status_is_consistent

pytestmark = pytest.mark.django_db(transaction=False)


def fingerprint():
    return sorted(Person.objects.filter(created_by__isnull=True).values_list(
        "last_name", "first_name", "patronymic", "birth_date", "side", "current_status"), key=str)


def test_demo_data_is_deterministic_idempotent_and_consistent(make_person):
    make_person()  # an existing record: the load goes on after it
    out = StringIO()
    call_command("demo_data", persons=400, seed=5, stdout=out)
    assert "Loaded 400" in out.getvalue()
    assert Person.objects.count() == 401
    first = fingerprint()
    audit = AuditEvent.objects.count()
    out = StringIO()
    call_command("demo_data", persons=400, seed=5, stdout=out)
    assert "already loaded" in out.getvalue()
    assert Person.objects.count() == 401 and AuditEvent.objects.count() == audit
    assert fingerprint() == first
    assert AuditEvent.objects.filter(action="registry.demo_data").count() == 1
    assert verify_chain() is None

    persons = list(Person.objects.prefetch_related("status_events", "alternative_names"))
    for person in persons:
        assert status_is_consistent(person)
        parts = [person.last_name, person.first_name, person.patronymic]
        for alt in person.alternative_names.all():
            parts += [alt.last_name, alt.first_name, alt.patronymic]
        assert set(PersonNameKey.objects.filter(person=person).values_list("key", flat=True)) == name_keys(parts)
    war = dt.date(2022, 2, 24)
    demo = [p for p in persons if p.created_by_id is None]
    assert all(p.incident_date >= war for p in demo)
    ages = [(p.incident_date - p.birth_date).days / 365.25 for p in demo if p.birth_date]
    assert min(ages) >= 17.9 and max(ages) <= 61.1
    assert {p.side for p in demo} == {"ours", "enemy"}
    assert not StatusEvent.objects.filter(person__side="enemy", status="missing").exists()
    assert StatusEvent.objects.filter(effective_date__gt=dt.date.today()).count() == 0
    assert Person.objects.filter(operation__code="mariupol", incident_date__lt=dt.date(2022, 6, 1)).exists()
    assert Person.objects.filter(was_missing=True).exclude(current_status="missing").exists()
    assert AlternativeName.objects.filter(script="ru").exists()
    # Namesakes: one name shared by several persons.
    from django.db.models import Count

    top = Person.objects.values("last_name", "first_name").annotate(n=Count("id")).order_by("-n").first()
    assert top["n"] >= 2
    # A Russian spelling finds the Ukrainian record.
    alt = AlternativeName.objects.filter(script="ru").exclude(first_name="").select_related("person").first()
    assert alt.person in set(search_persons(f"{alt.last_name} {alt.first_name}"))



class Rollback(Exception):
    pass


def test_same_seed_same_register_other_seed_other_register(db):
    from django.db import transaction

    from homecoming.registry.demo import load

    with pytest.raises(Rollback), transaction.atomic():
        load(300, 9)
        first = fingerprint()
        raise Rollback
    assert Person.objects.count() == 0
    load(300, 9)
    assert fingerprint() == first
    with pytest.raises(Rollback), transaction.atomic():
        load(300, 10)
        other = fingerprint()
        raise Rollback
    assert other != first

def test_tax_numbers_have_the_right_shape():
    import random

    number = tax_number(dt.date(1990, 1, 1), random.Random(1))  # noqa: S311
    assert len(number) == 10 and number.isdigit()
    assert int(number[:5]) == (dt.date(1990, 1, 1) - dt.date(1899, 12, 31)).days
