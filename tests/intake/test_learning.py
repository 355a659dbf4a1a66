"""``homecoming linkage-learn``: reviewers' decisions re-estimate the linkage model, stored as a
version with who, when and the counts it used; the register's index links the next list with
it; an earlier version (or the built-in values) can be put back; too few decisions store
nothing; a refused or bad request changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from homecoming.audit.models import AuditEvent
from homecoming.intake import register_index, services
from homecoming.intake.models import ImportJob, IncomingList, LinkageModel, ListRow, RowState
from homecoming.linkage.model import DEFAULT_M

pytestmark = pytest.mark.django_db

LEVELS = {"last_name": "same", "first_name": "same", "patronymic": "missing", "birth_date": "typo"}


def _explanation(**over):
    return [{"field": f, "level": lv, "weight": 0.0, "list_value": "", "registry_value": "", "note": ""}
            for f, lv in {**LEVELS, **over}.items()]


def _decided(person, n: int, state=RowState.ACCEPTED, probability=0.998, **levels):
    """``n`` decided rows of one list whose only candidate is ``person`` at these levels."""
    job = ImportJob.objects.create(kind="list", filename="l.csv", sha256=f"{ImportJob.objects.count():064d}",
                                   size=1, content=b"", source_kind="other_side_list", source_reference="t",
                                   list_date=dt.date(2025, 6, 7))
    lst = IncomingList.objects.create(job=job, title="t", source_kind="other_side_list", source_reference="t",
                                      list_date=dt.date(2025, 6, 7), status_on_accept="captivity_confirmed")
    cand = {"person_id": person.pk, "probability": probability, "match_weight": 20.0, "decision": "review",
            "explanation": _explanation(**levels)}
    ListRow.objects.bulk_create([
        ListRow(incoming_list=lst, row_number=i + 2, decision="review", candidates=[cand], state=state,
                person=person if state == RowState.ACCEPTED else None) for i in range(n)])


@pytest.fixture
def person(register):
    return register([{"last_name": "Петренко", "first_name": "Олександр", "patronymic": "Миколайович",
                      "birth_date": dt.date(1990, 5, 17)}])[0]


def test_confirmed_date_errors_are_learnt_stored_audited_and_used_by_the_next_link(analyst, person):
    register_index.reset_register_index()
    with register_index.using_register_index() as index:
        assert index.params.m["birth_date"]["typo"] == DEFAULT_M["birth_date"]["typo"]
    _decided(person, 300, birth_date="exact")
    _decided(person, 120)  # date one digit away, confirmed
    learnt, model = services.learn_linkage_model(analyst)
    assert model is not None and model.version == 1 and model.active
    assert model.m["birth_date"]["typo"] > 2 * DEFAULT_M["birth_date"]["typo"]
    assert model.counts["confirmed"] == 420 and model.counts["levels"]["birth_date"]["typo"] == 120
    assert model.created_by == analyst and model.created_by_name == analyst.username
    ev = AuditEvent.objects.get(action="linkage.learn")
    assert ev.details["stored"] and ev.details["confirmed"] == 420
    with register_index.using_register_index() as index:  # the same process's index takes it
        assert index.params.m["birth_date"]["typo"] == pytest.approx(model.m["birth_date"]["typo"])
    # back to the built-in values, then to version 1 again
    services.use_linkage_model(analyst, 0)
    assert not LinkageModel.objects.filter(active=True).exists()
    with register_index.using_register_index() as index:
        assert index.params.m["birth_date"]["typo"] == DEFAULT_M["birth_date"]["typo"]
    services.use_linkage_model(analyst, 1)
    with register_index.using_register_index() as index:
        assert index.params.m["birth_date"]["typo"] == pytest.approx(model.m["birth_date"]["typo"])
    assert AuditEvent.objects.filter(action="linkage.use_model").count() == 2


def test_a_new_version_learns_from_the_one_in_use_and_keeps_the_old(analyst, person):
    _decided(person, 300, birth_date="exact")
    _decided(person, 120)
    services.learn_linkage_model(analyst)
    _decided(person, 200)
    _, model = services.learn_linkage_model(analyst)
    assert model.version == 2
    assert list(LinkageModel.objects.filter(active=True).values_list("version", flat=True)) == [2]
    assert LinkageModel.objects.get(version=1).m["birth_date"]["typo"] < model.m["birth_date"]["typo"]


def test_too_few_decisions_store_nothing(analyst, person):
    _decided(person, 10)
    _decided(person, 5, state=RowState.REJECTED)
    learnt, model = services.learn_linkage_model(analyst)
    assert model is None and not learnt.changed
    assert not LinkageModel.objects.exists()
    assert AuditEvent.objects.get(action="linkage.learn").details["stored"] is False


def test_rejected_decisions_never_loosen_a_threshold(analyst, person):
    # many candidates just under the exact-date threshold, one in five rejected
    _decided(person, 400, probability=0.97, birth_date="exact")
    _decided(person, 100, state=RowState.REJECTED, probability=0.97, birth_date="exact")
    learnt, model = services.learn_linkage_model(analyst)
    assert learnt.thresholds["match_threshold"] == 0.99
    assert model is None or model.thresholds["match_threshold"] == 0.99


def test_refused_and_bad_requests_change_nothing(make_user, analyst, person):
    _decided(person, 300, birth_date="exact")
    registrar = make_user("registrar")
    with pytest.raises(PermissionDenied):
        services.learn_linkage_model(registrar)
    with pytest.raises(PermissionDenied):
        services.use_linkage_model(registrar, 0)
    with pytest.raises(ValidationError, match="no linkage model version 7"):
        services.use_linkage_model(analyst, 7)
    with pytest.raises(ValidationError, match="minimum count"):
        services.learn_linkage_model(analyst, min_count=0)
    assert not LinkageModel.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="linkage.").exists()


def test_the_command_learns_lists_and_goes_back(person, capsys):
    _decided(person, 300, birth_date="exact")
    _decided(person, 120)
    call_command("linkage_learn", "--dry-run")
    assert "nothing stored (dry run)" in capsys.readouterr().out
    assert not LinkageModel.objects.exists()
    call_command("linkage_learn")
    assert "stored as version 1" in capsys.readouterr().out
    call_command("linkage_learn", "--use", "0")
    call_command("linkage_learn", "--list")
    out = capsys.readouterr().out
    assert "in use: version 0" in out and "confirmed 420" in out
