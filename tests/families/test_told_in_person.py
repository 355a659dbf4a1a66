"""A death reaches the family in person first; the portal says it only after that is recorded,
and only for the death the register holds now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from homecoming.families import services
from homecoming.families.models import Inquiry
from homecoming.families.status import family_view

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _view(inquiry):
    return family_view(Inquiry.objects.select_related("person").get(pk=inquiry.pk))


def test_a_death_is_shown_only_after_the_family_was_told_in_person(linked, add_event, make_user):
    person, filed = linked
    inquiry = filed.inquiry
    death = add_event(person, "deceased", dt.date(2024, 3, 1))
    assert _view(inquiry).state == "contact_us" and mail.outbox == []
    with pytest.raises(PermissionDenied):
        services.record_told_in_person(make_user("analyst"), inquiry.pk)
    case_worker = make_user("case_worker")
    services.record_told_in_person(case_worker, inquiry.pk)
    view = _view(inquiry)
    assert view.state == "deceased" and str(view.headline) == "We share your grief"
    assert mail.outbox == []  # never by a message
    with pytest.raises(ValidationError, match="already recorded"):
        services.record_told_in_person(case_worker, inquiry.pk)
    # the record of death was wrong: the portal no longer says it, and a new death must be told again
    add_event(person, "captivity_confirmed", dt.date(2024, 3, 1), corrects=death.pk,
              exception_reason="Identified by mistake")
    assert _view(inquiry).state == "captive"
    add_event(person, "deceased", dt.date(2024, 6, 1))
    assert _view(inquiry).state == "contact_us"


def test_told_in_person_needs_a_death_in_the_register(linked, make_user):
    inquiry = linked[1].inquiry
    with pytest.raises(ValidationError, match="does not hold the death"):
        services.record_told_in_person(make_user("case_worker"), inquiry.pk)
    assert Inquiry.objects.get(pk=inquiry.pk).told_in_person_at is None


def test_the_inquiry_page_asks_a_case_worker_to_tell_the_family(linked, add_event, client_for):
    person, filed = linked
    inquiry = filed.inquiry
    add_event(person, "deceased", dt.date(2024, 3, 1))
    client = client_for("case_worker")
    url = f"/families/{inquiry.pk}/"
    assert 'id="tell-in-person"' in client.get(url).content.decode()
    client.post(f"/families/{inquiry.pk}/told/")  # the box not ticked
    assert Inquiry.objects.get(pk=inquiry.pk).told_in_person_at is None
    client.post(f"/families/{inquiry.pk}/told/", {"told": "yes"})
    page = client.get(url).content.decode()
    assert 'id="tell-in-person"' not in page and 'id="told-note"' in page
    assert _view(inquiry).state == "deceased"
