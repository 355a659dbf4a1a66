"""Records that make every operation of the API reachable, and one request per operation that
must succeed (2xx): the fuzzer then starts from something real instead of ids that do not exist.

Why: a fuzzer with an empty database and random ids only ever meets 404 and 403; issue 17 asks
that every operation answers 2xx at least once, on SQLite and PostgreSQL. Everything is written
through the services, as the pages and the API would, with synthetic names only.

``seed(make_user, make_returnee)`` returns a ``Seed``: a user per role, the ids the paths take,
and ``good[(method, path)]`` = the path parameters, query and body of a request that succeeds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

RULE = {"≤": [{"age_on": "2025-06-09"}, 24]}
BORN = dt.date(2003, 5, 17)
ROLES = ("registrar", "analyst", "negotiator", "medical_officer", "case_worker", "finance_officer",
         "forensic_expert")
IBAN = "UA213223130000026007233566001"
LIST_ROWS = [("Фамилия", "Имя", "Отчество", "Дата рождения"),
             ("Сидоренко", "Богдан", "Іванович", "12.03.1990"),
             ("Зозуля", "Остап", "Тарасович", "04.03.2001")]


@dataclass
class Seed:
    users: dict[str, Any]
    good: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add(self, method: str, path: str, *, path_parameters=None, query=None, body=None):
        self.good[(method, "/api/v1" + path)] = {"path_parameters": path_parameters or {}, "query": query or {},
                                                "body": body}


def _person(registrar, last, first, *, side="ours", history=(("captivity_confirmed", dt.date(2023, 1, 10)),),
            **fields):
    from homecoming.registry import services as registry

    person = registry.create_person(registrar, {"last_name": last, "first_name": first, "side": side, "sex": "male",
                                                "birth_date": BORN.isoformat(), **fields})
    for n, (status, day) in enumerate(history):
        registry.add_status_event(registrar, person.pk, status=status, effective_date=day, source_kind="unit_report",
                                  source_reference=f"seed report {n}")
    person.refresh_from_db()
    return person


def _stage(neg, registrar, agreement, category, n: int, *, until: str):
    """A stage of ``agreement`` with one of ours and one of theirs on its lists, taken to ``until``
    (planned, carried_out or reconciled)."""
    from homecoming.exchanges import services as exchanges

    ours = _person(registrar, "Стадієнко", f"Наш{'абвгде'[n]}")
    theirs = _person(registrar, "Стадиенко", f"Чужой{'абвгде'[n]}", side="enemy",
                     history=(("held", dt.date(2024, 3, 1)),))
    exchange = exchanges.create_exchange(neg, agreement.pk, planned_date="2025-06-12")
    exchanges.add_entries(neg, exchange.pk, category.pk, [ours.pk], effective_date="2025-06-05")
    exchanges.add_entries(neg, exchange.pk, category.pk, [theirs.pk], effective_date="2025-06-05")
    if until == "planned":
        return exchange, ours
    for entry in exchange.entries.all():
        exchanges.change_entry_state(neg, entry.pk, "confirmed")
    for status in ("lists_sent", "lists_agreed"):
        exchanges.set_exchange_status(neg, exchange.pk, status)
    exchanges.set_exchange_status(neg, exchange.pk, "carried_out", carried_out_on="2025-06-12")
    if until == "reconciled":
        exchanges.record_crossings(neg, exchange.pk, all_confirmed=True)
        exchanges.reconcile(neg, exchange.pk)
    exchange.refresh_from_db()
    return exchange, ours


def seed(make_user, make_returnee) -> Seed:
    from homecoming.exchanges import services as exchanges
    from homecoming.families import services as families
    from homecoming.intake import services as intake
    from homecoming.payments import services as payments

    s = Seed(users={role: make_user(role) for role in ROLES})
    reg, ana, neg = s.users["registrar"], s.users["analyst"], s.users["negotiator"]

    # --- the register -----------------------------------------------------------------------------
    missing = _person(reg, "Петренко", "Олександр", history=(("missing", dt.date(2023, 5, 1)),))
    put, patch = _person(reg, "Коваленко", "Іван"), _person(reg, "Шевчук", "Тарас")
    s.add("GET", "/")
    s.add("GET", "/me/")
    s.add("GET", "/persons/", query={"q": "Петренко"})
    s.add("POST", "/persons/", body={"last_name": "Новенко", "first_name": "Степан", "confirm_duplicate": True,
                                     "initial_status": {"status": "missing", "effective_date": "2024-02-01",
                                                        "source_kind": "family_application"}})
    s.add("GET", "/persons/{id}/", path_parameters={"id": missing.pk})
    s.add("PUT", "/persons/{id}/", path_parameters={"id": put.pk}, body={"version": put.version, "unit": "в/ч А0001"})
    s.add("PATCH", "/persons/{id}/", path_parameters={"id": patch.pk},
          body={"version": patch.version, "unit": "в/ч А0002"})
    s.add("GET", "/persons/{id}/events/", path_parameters={"id": missing.pk})
    s.add("POST", "/persons/{id}/events/", path_parameters={"id": missing.pk},
          body={"status": "captivity_confirmed", "effective_date": "2024-01-01", "source_kind": "other_side_list"})

    # --- agreements, categories and stages ----------------------------------------------------------
    agreement = exchanges.create_agreement(neg, {"title": "Стамбул (синтетична)", "date": "2025-06-02"})
    category = exchanges.create_category(neg, agreement.pk, {"name_uk": "до 25", "name_en": "under 25", "rule": RULE,
                                                             "trade_rule": "all_for_all"})
    planned, on_planned = _stage(neg, reg, agreement, category, 0, until="planned")
    carried, _ = _stage(neg, reg, agreement, category, 1, until="carried_out")
    crossing, _ = _stage(neg, reg, agreement, category, 2, until="carried_out")
    reconciled, _ = _stage(neg, reg, agreement, category, 3, until="reconciled")
    newcomer = _person(reg, "Доданенко", "Петро")
    entry = planned.entries.get(person=on_planned)
    s.add("GET", "/agreements/")
    s.add("POST", "/agreements/", body={"title": "Женева (синтетична)", "date": "2025-07-01"})
    s.add("GET", "/agreements/{id}/", path_parameters={"id": agreement.pk})
    s.add("PATCH", "/agreements/{id}/", path_parameters={"id": agreement.pk}, body={"notes": "синтетичні дані"})
    s.add("POST", "/agreements/{id}/categories/", path_parameters={"id": agreement.pk},
          body={"name_uk": "усі", "name_en": "all", "rule": RULE})
    s.add("GET", "/categories/{id}/", path_parameters={"id": category.pk})
    s.add("PATCH", "/categories/{id}/", path_parameters={"id": category.pk}, body={"name_en": "under 25 years"})
    s.add("GET", "/categories/{id}/pool/", path_parameters={"id": category.pk}, query={"side": "ours"})
    s.add("POST", "/rules/check/", body={"rule": RULE})
    s.add("GET", "/exchanges/")
    s.add("POST", "/exchanges/", body={"agreement": agreement.pk, "planned_date": "2025-08-01"})
    s.add("GET", "/exchanges/{id}/", path_parameters={"id": planned.pk})
    s.add("GET", "/exchanges/{id}/entries/", path_parameters={"id": planned.pk})
    s.add("POST", "/exchanges/{id}/entries/", path_parameters={"id": planned.pk},
          body={"category": category.pk, "persons": [newcomer.pk], "effective_date": "2025-06-05"})
    s.add("POST", "/entries/{id}/state/", path_parameters={"id": entry.pk}, body={"state": "confirmed"})
    s.add("POST", "/exchanges/{id}/counter-list/", path_parameters={"id": planned.pk},
          body={"rows": [{"last_name": "Стадієнко", "first_name": "Наша"}]})
    s.add("POST", "/exchanges/{id}/status/", path_parameters={"id": planned.pk}, body={"status": "lists_sent"})
    s.add("POST", "/exchanges/{id}/crossings/", path_parameters={"id": crossing.pk}, body={"all_confirmed": True})
    s.add("GET", "/exchanges/{id}/reconcile/", path_parameters={"id": carried.pk})
    s.add("POST", "/exchanges/{id}/reconcile/", path_parameters={"id": carried.pk}, body={})
    s.add("GET", "/exchanges/{id}/report/", path_parameters={"id": reconciled.pk})
    s.add("GET", "/exchanges/{id}/communique", path_parameters={"id": reconciled.pk}, query={"lang": "en"})
    s.add("POST", "/exchanges/{id}/communique/publish/", path_parameters={"id": reconciled.pk}, body={})

    # --- aftercare and payments (a returnee has a case and an entitlement) ---------------------------
    returnee = make_returnee(captured=dt.date(2023, 1, 1), returned=dt.date(2023, 3, 1))
    from homecoming.aftercare.models import Case

    case = Case.objects.get(person=returnee)
    task = case.tasks.get(code="documents")
    s.add("GET", "/aftercare/cases/")
    s.add("GET", "/aftercare/cases/{id}/", path_parameters={"id": case.pk})
    s.add("PATCH", "/aftercare/tasks/{id}/", path_parameters={"id": task.pk}, body={"state": "in_progress"})
    preparer = make_user("finance_officer")
    payments.add_pay_data(preparer, returnee.pk, valid_from="2020-01-01", monthly_amount="3100")
    payments.set_payment_profile(preparer, returnee.pk, iban=IBAN, account_holder="Тестовий",
                                 capture_precision="day")
    payments.compute_entitlement(preparer, returnee.pk)
    batch = payments.prepare_batch(preparer)
    s.add("GET", "/payments/entitlements/{person_id}/", path_parameters={"person_id": returnee.pk})
    s.add("GET", "/payments/batches/")
    s.add("POST", "/payments/batches/{id}/approve/", path_parameters={"id": batch.pk})
    s.add("GET", "/payments/report/")

    # --- an incoming list under review ------------------------------------------------------------
    content = "\r\n".join(";".join(row) for row in LIST_ROWS).encode("cp1251", "replace")
    job = intake.stage_upload(ana, content=content, filename="seed.csv", kind="list", source_kind="other_side_list",
                              source_reference="синтетичний список", list_date=dt.date(2025, 6, 7))
    intake.choose_encoding(ana, job.pk, "cp1251")
    job = intake.start_import(ana, job.pk)
    lst = job.incoming_list
    row = lst.rows.order_by("row_number").first()
    s.add("GET", "/intake/lists/")
    s.add("GET", "/intake/lists/{id}/rows/", path_parameters={"id": lst.pk}, query={"show": "all"})
    s.add("POST", "/intake/rows/{id}/decision/", path_parameters={"id": row.pk},
          body={"action": "reject", "version": row.version})
    s.add("POST", "/intake/rows/{id}/undo/", path_parameters={"id": row.pk}, body={"version": row.version + 1})
    s.add("GET", "/intake/lists/{id}/recent-decisions/", path_parameters={"id": lst.pk})
    others = [r.pk for r in lst.rows.order_by("row_number")[1:3]]
    s.add("GET", "/intake/lists/{id}/reject/", path_parameters={"id": lst.pk},
          query={"rows": ",".join(map(str, others))})
    s.add("POST", "/intake/lists/{id}/reject/", path_parameters={"id": lst.pk}, body={
        "rows": others, "reason": "не з цього реєстру",
        "confirm": intake.bulk_reject_fingerprint(intake.rows_to_reject(lst.pk, others))})

    # --- a family's inquiry ---------------------------------------------------------------------------
    inquiry = families.file_inquiry(None, {
        "last_name": "Тестенко", "first_name": "Арсеній", "patronymic": "Вигаданович", "birth_date": "1995",
        "service_number": "", "unit": "", "incident_date": "2023-04-20", "incident_place": "", "circumstances": "",
        "inquirer_name": "Олена Тестенко", "relation": "mother", "phone": "+380501112233",
        "email": "family@example.org", "language": "en", "consent": True}).inquiry
    s.add("GET", "/families/inquiries/")
    s.add("GET", "/families/inquiries/{id}/", path_parameters={"id": inquiry.pk})
    s.add("POST", "/families/inquiries/{id}/link/", path_parameters={"id": inquiry.pk}, body={"person": missing.pk})
    _remains(s, reg, s.users["forensic_expert"])
    return s


def _remains(s: Seed, reg, expert) -> None:
    """Transfers, remains, a missing person's forensic records and identifications at each step,
    each operation on records of its own (a fuzzed change of one never spoils another's request)."""
    from homecoming.remains import services as forensic

    def transfer(n: int):
        return forensic.record_transfer(expert, received_on=dt.date(2025, 6, 14), place=f"Синтетичний пункт {n}",
                                        declared_count=50, received_count=50)

    patched, recorded, held = transfer(1), transfer(2), transfer(3)

    def remains(**fields):
        return forensic.record_remains(expert, held.pk, sex="male", age_min=20, age_max=40,
                                       declared_date=dt.date(2025, 3, 1), **fields)

    person = _person(reg, "Загиблий", "Остап", history=(("missing", dt.date(2024, 11, 2)),))
    am_person = _person(reg, "Безвісний", "Данило", history=(("missing", dt.date(2024, 10, 2)),))
    forensic.record_ante_mortem(expert, am_person.pk, source="family", collected_on=dt.date(2025, 1, 10))
    sample = forensic.add_reference_sample(expert, person.pk, donor_name="Ганна Загибла", relationship="mother",
                                           consent_purpose="identification", consent_on=dt.date(2025, 1, 5),
                                           barcode="UA-SEED-0001", collected_on=dt.date(2025, 1, 5))

    def identification(n: int, method="documents", *, of=None, propose=False):
        # a person of its own: a confirmation closes every other open identification of its person
        who = of or _person(reg, "Ідентифікований", f"Особа{'абвгд'[n]}", history=(("missing", dt.date(2024, 9, 1)),))
        opened = forensic.open_identification(expert, remains().pk, who.pk, method=method)
        return forensic.propose_identification(expert, opened.pk) if propose else opened

    to_propose, to_exclude, dna = identification(0), identification(1), identification(2, "dna", of=person)
    to_confirm = identification(3, propose=True)
    to_confirm.refresh_from_db()
    shown = remains()
    s.add("GET", "/remains/transfers/")
    s.add("POST", "/remains/transfers/", body={"received_on": "2025-06-20", "place": "Синтетичний пункт",
                                               "declared_count": 10, "received_count": 10})
    s.add("GET", "/remains/transfers/{id}/", path_parameters={"id": held.pk})
    s.add("PATCH", "/remains/transfers/{id}/", path_parameters={"id": patched.pk}, body={"documents": "акт"})
    s.add("GET", "/remains/transfers/{id}/remains/", path_parameters={"id": held.pk})
    s.add("POST", "/remains/transfers/{id}/remains/", path_parameters={"id": recorded.pk}, body={"sex": "male"})
    s.add("GET", "/remains/remains/{id}/", path_parameters={"id": shown.pk})
    s.add("PATCH", "/remains/remains/{id}/", path_parameters={"id": remains().pk}, body={"hair": "brown"})
    s.add("POST", "/remains/remains/{id}/marks/", path_parameters={"id": shown.pk},
          body={"kind": "tattoo", "location": "left_arm"})
    s.add("POST", "/remains/remains/{id}/effects/", path_parameters={"id": shown.pk},
          body={"kind": "military_id", "description": "жетон", "name_as_found": "Загиблый Остап"})
    s.add("GET", "/remains/remains/{id}/candidates/", path_parameters={"id": shown.pk})
    s.add("GET", "/remains/persons/{id}/", path_parameters={"id": person.pk})
    s.add("PUT", "/remains/persons/{id}/ante-mortem/", path_parameters={"id": person.pk},
          body={"source": "family", "collected_on": "2025-01-10", "hair": "brown"})
    s.add("POST", "/remains/persons/{id}/ante-mortem/marks/", path_parameters={"id": am_person.pk},
          body={"kind": "scar", "location": "chest"})
    s.add("POST", "/remains/persons/{id}/samples/", path_parameters={"id": person.pk}, body={
        "donor_name": "Петро Загиблий", "relationship": "father", "consent_purpose": "identification",
        "consent_on": "2025-01-05", "barcode": "UA-SEED-0002", "collected_on": "2025-01-05"})
    s.add("PATCH", "/remains/samples/{id}/", path_parameters={"id": sample.pk}, body={"laboratory": "Синтетична"})
    s.add("GET", "/remains/identifications/")
    s.add("POST", "/remains/identifications/", body={"remains": remains().pk, "person": person.pk,
                                                     "method": "dental"})
    s.add("GET", "/remains/identifications/{id}/", path_parameters={"id": to_confirm.pk})
    s.add("POST", "/remains/identifications/{id}/kinship-reports/", path_parameters={"id": dna.pk}, body={
        "laboratory": "Синтетична лабораторія", "report_reference": "KR-1", "reported_on": "2025-07-01",
        "likelihood_ratio": "1000000.00", "samples": [sample.pk]})
    s.add("POST", "/remains/identifications/{id}/propose/", path_parameters={"id": to_propose.pk}, body={})
    s.add("POST", "/remains/identifications/{id}/exclude/", path_parameters={"id": to_exclude.pk},
          body={"reasoning": "зубна формула інша"})
    s.add("POST", "/remains/identifications/{id}/confirm/", path_parameters={"id": to_confirm.pk},
          body={"fingerprint": forensic.confirmation_fingerprint(to_confirm)})
