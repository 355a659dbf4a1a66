"""The permission matrix (homecoming/accounts/matrix.py) against the running application.

One walk: every URL name the resolver knows, for every role and for an anonymous visitor, with
GET and every write method the matrix lists. Each request runs in a savepoint that is rolled
back, so a write that succeeds changes nothing for the next request. While walking, the same
responses are searched for three planted secrets: medical notes (medical officers only), family
contact details (registrars and case workers) and an IBAN (finance officers), so that pages,
API lists and exports that leak a field to a role that may not read it fail here too. A GET that
shows persons (``matrix.AUDITED_READS``) must leave an audit event; and every person of the
register carries planted names found nowhere else, so that any page, API answer or export that
shows one of them without writing an audit event fails, whether or not it is listed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from homecoming.accounts import matrix
from homecoming.accounts.roles import ROLES
from homecoming.audit.models import AuditEvent
from homecoming.intake.operations import CONFIRM_ALL
from homecoming.operations.models import Operation

pytestmark = pytest.mark.django_db

MEDICAL_SECRET = "Synthetic-medical-note-7731"
CONTACT_SECRET = "Synthetic-contact-+380-44-555-0199"
IBAN = "UA213223130000026007233566001"
MISSING = 999999  # an object that does not exist: a permitted role gets 404, everyone else 403
# planted as the names of every person of the register (followed by the person's id)
PLANTED_LAST, PLANTED_FIRST = "Міткаренко", "Мітковій"
PLANTED = re.compile(rf"(?i)(?:{PLANTED_LAST}|{PLANTED_FIRST})\d+")

# who may read which planted secret
SECRETS = {
    MEDICAL_SECRET: {matrix.MED},
    CONTACT_SECRET: {matrix.REG, matrix.CW},
    IBAN: {matrix.FIN},
    " ".join(IBAN[i:i + 4] for i in range(0, len(IBAN), 4)): {matrix.FIN},  # as pages print it
}


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name"
    view: object


def _walk(patterns, prefix: str = "") -> list[Endpoint]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            found.extend(_walk(p.url_patterns, ns))
        elif isinstance(p, URLPattern) and p.name:
            found.append(Endpoint(prefix + p.name, p.callback))
    return found


def all_endpoints() -> list[Endpoint]:
    seen: dict[str, Endpoint] = {}
    for e in _walk(get_resolver().url_patterns):
        seen.setdefault(e.name, e)
    return sorted(seen.values(), key=lambda e: e.name)


def _iban_ok_for_test():
    digits = "".join(str(int(c, 36)) for c in IBAN[4:] + IBAN[:4])
    assert int(digits) % 97 == 1


@pytest.fixture
def world(make_user, django_capture_on_commit_callbacks):
    """The demo scenario (register, agreement, stages, returnees with cases), plus an imported list,
    a family inquiry, an approved payment batch, and secrets planted in one person."""
    from homecoming.aftercare.models import Case, Task
    from homecoming.exchanges.models import Agreement, Category, Exchange, ListEntry
    from homecoming.families import services as family_services
    from homecoming.intake import services as intake_services
    from homecoming.payments import selectors as pay_selectors
    from homecoming.payments import services as pay
    from homecoming.registry.models import Person

    _iban_ok_for_test()
    call_command("demo", persons=30, seed=11, stdout=io.StringIO())
    analyst = make_user("analyst")
    finance = make_user("finance_officer")
    csv = "Фамилия;Имя;Дата рождения\nПетренко;Александр;01.02.1999\n".encode("cp1251")
    job = intake_services.stage_upload(analyst, content=csv, filename="l.csv", kind="list",
                                       source_kind="other_side_list", source_reference="synthetic",
                                       list_date=dt.date(2025, 6, 7))
    intake_services.choose_encoding(analyst, job.pk, "cp1251")
    job = intake_services.start_import(analyst, job.pk)
    filed = family_services.file_inquiry(None, {
        "last_name": "Тестенко", "first_name": "Арсеній", "patronymic": "", "birth_date": "1995",
        "service_number": "", "unit": "", "incident_date": "2023-04-20", "incident_place": "",
        "circumstances": "", "inquirer_name": "Олена Тестенко", "relation": "mother", "phone": "+380501112233",
        "email": "family@example.org", "language": "en", "consent": True})
    case = Case.objects.order_by("pk").first()
    person = case.person
    Person.objects.filter(pk=person.pk).update(medical_notes=MEDICAL_SECRET, family_contacts=CONTACT_SECRET)
    # every person of the register gets names found nowhere else: a page that shows one must have
    # written an audit event (see the walk)
    for pk in Person.objects.values_list("pk", flat=True):
        Person.objects.filter(pk=pk).update(last_name=f"{PLANTED_LAST}{pk}", first_name=f"{PLANTED_FIRST}{pk}")
    pay.set_payment_profile(finance, person.pk, iban=IBAN, account_holder="Тестовий", capture_precision="day")
    pay.add_pay_data(finance, person.pk, valid_from=dt.date(2020, 1, 1), monthly_amount="3100")
    pay.compute_entitlement(finance, person.pk)
    batch = pay.prepare_batch(finance, due_ids=[d.pk for d in pay_selectors.open_dues()
                                                 if d.entitlement.person_id == person.pk])
    pay.approve_batch(make_user("finance_officer"), batch.pk)  # a second officer: the bank file exists
    remains_objects = _remains_world(make_user, person)
    objects = {
        **remains_objects,
        "person": person.pk,
        "job": job.pk,
        "list": job.incoming_list.pk,
        "row": job.incoming_list.rows.order_by("pk").first().pk,
        "agreement": Agreement.objects.order_by("pk").first().pk,
        "category": Category.objects.order_by("pk").first().pk,
        # the reconciled stage: its report and communiqué pages render
        "exchange": Exchange.objects.filter(status="reconciled").order_by("pk").first().pk,
        "entry": ListEntry.objects.order_by("pk").first().pk,
        "inquiry": filed.inquiry.pk,
        "case": case.pk,
        "batch": batch.pk,
        "task": next(t.pk for t in Task.objects.filter(case=case).order_by("pk") if not t.is_medical),
        "user": analyst.pk,
        # a confirm-all of the list, ended: its status and cancel need the kind's permission
        "operation": Operation.objects.create(kind=CONFIRM_ALL, target_id=job.incoming_list.pk, state="done",
                                              started_by=analyst).pk,
    }
    return objects


def _remains_world(make_user, person) -> dict:
    """A transfer, remains, a reference sample of ``person``, a proposed identification of a missing
    person and a confirmed one of another (its tasks), made by a forensic expert and a registrar."""
    from homecoming.registry.models import Person, Side
    from homecoming.remains import services as forensic

    expert, registrar = make_user("forensic_expert"), make_user("registrar")
    transfer = forensic.record_transfer(expert, received_on=dt.date(2025, 6, 14), place="Synthetic crossing",
                                        declared_count=2, received_count=2)
    remains = forensic.record_remains(expert, transfer.pk, sex="male", age_min=20, age_max=60)
    other = forensic.record_remains(expert, transfer.pk, sex="male")
    sample = forensic.add_reference_sample(expert, person.pk, donor_name="Оксана Синтетична", relationship="mother",
                                  consent_purpose="identification", consent_on=dt.date(2025, 3, 1),
                                  barcode="UA-MATRIX-1", collected_on=dt.date(2025, 3, 1))
    # remains are never a person the register knows came home (``person`` may be a returnee): two missing
    candidate, dead = Person.objects.filter(side=Side.OURS, current_status="missing").exclude(
        pk=person.pk).order_by("pk")[:2]
    proposed = forensic.open_identification(expert, remains.pk, candidate.pk, method="documents")
    forensic.propose_identification(expert, proposed.pk)
    confirmed = forensic.open_identification(expert, other.pk, dead.pk, method="documents")
    forensic.propose_identification(expert, confirmed.pk)
    confirmed.refresh_from_db()
    forensic.confirm_identification(registrar, confirmed.pk,
                                    fingerprint=forensic.confirmation_fingerprint(confirmed))
    return {"transfer": transfer.pk, "remains": remains.pk, "identification": proposed.pk, "sample": sample.pk,
            "remains_task": confirmed.tasks.order_by("position").first().pk}


def url_kwargs(name: str, objects: dict) -> dict:
    """The URL arguments of each named URL, from the objects of ``world`` (MISSING where the
    world has no such object: merges and lock-outs)."""
    app, _, short = name.rpartition(":")
    if app == "admin":
        return {}
    by_app = {
        "registry": "person", "payments": "person", "aftercare": "case", "families": "inquiry",
        "intake": "job", "api": "person", "accounts": "user", "operations": "operation",
        "remains": "remains",
    }
    o = objects
    special = {
        "registry:merge_undo": {"merge_id": MISSING},
        "intake:list_review": {"pk": o["list"]}, "intake:export_list": {"pk": o["list"]},
        "intake:accept_automatic": {"pk": o["list"]},
        "intake:row_decide": {"pk": o["list"], "row_id": o["row"]},
        "intake:row_undo": {"pk": o["list"], "row_id": o["row"]}, "intake:bulk_reject": {"pk": o["list"]},
        "exchanges:agreement_detail": {"pk": o["agreement"]}, "exchanges:agreement_edit": {"pk": o["agreement"]},
        "exchanges:category_create": {"pk": o["agreement"]},
        "exchanges:category_edit": {"pk": o["category"]}, "exchanges:category_pool": {"pk": o["category"]},
        "exchanges:entry_state": {"pk": o["entry"]},
        "families:inquiry_link_candidate": {"pk": o["inquiry"], "person_id": o["person"]},
        "families:person_inquiries": {"person_id": o["person"]},
        "families:lockout_lift": {"pk": MISSING},
        "aftercare:task_edit": {"pk": o["task"]},
        "payments:batch": {"pk": o["batch"]}, "payments:batch_approve": {"pk": o["batch"]},
        "payments:batch_reject": {"pk": o["batch"]}, "payments:batch_paid": {"pk": o["batch"]},
        "payments:batch_export": {"pk": o["batch"]},
        "api:agreement-detail": {"pk": o["agreement"]}, "api:category-create": {"pk": o["agreement"]},
        "api:category-detail": {"pk": o["category"]}, "api:category-pool": {"pk": o["category"]},
        "api:entry-state": {"pk": o["entry"]},
        "api:aftercare-case-detail": {"pk": o["case"]}, "api:aftercare-task": {"pk": o["task"]},
        "api:payments-entitlement": {"person_id": o["person"]},
        "api:payments-batch-approve": {"pk": o["batch"]},
        "api:intake-list-rows": {"pk": o["list"]}, "api:intake-row-decision": {"pk": o["row"]},
        "api:intake-row-undo": {"pk": o["row"]}, "api:intake-list-recent-decisions": {"pk": o["list"]},
        "api:intake-list-reject": {"pk": o["list"]},
        "api:families-inquiry-detail": {"pk": o["inquiry"]}, "api:families-inquiry-link": {"pk": o["inquiry"]},
        "reports:csv": {"key": "register"}, "reports:exchange": {"pk": o["exchange"]},
        "reports:agreement": {"pk": o["agreement"]},
        "remains:transfer_detail": {"pk": o["transfer"]},
        "remains:person": {"pk": o["person"]}, "remains:person_mark_add": {"pk": o["person"]},
        "remains:sample_add": {"pk": o["person"]}, "remains:task_done": {"pk": o["remains_task"]},
        **{f"remains:identification_{n}": {"pk": o["identification"]}
           for n in ("detail", "report", "propose", "exclude", "confirm")},
        **{f"api:remains-{n}": {"pk": o["transfer"]} for n in ("transfer-detail", "transfer-remains")},
        **{f"api:remains-{n}": {"pk": o["remains"]} for n in ("detail", "marks", "effects", "candidates")},
        **{f"api:remains-{n}": {"pk": o["person"]} for n in ("person", "ante-mortem", "ante-mortem-marks",
                                                               "samples")},
        "api:remains-sample": {"pk": o["sample"]},
        **{f"api:remains-identification-{n}": {"pk": o["identification"]}
           for n in ("detail", "kinship-reports", "propose", "exclude", "confirm")},
        "exchanges:counter_row_decide": {"pk": o["exchange"], "row_id": MISSING},
        "exchanges:counter_row_undo": {"pk": o["exchange"], "row_id": MISSING},
    }
    if name in special:
        return special[name]
    if app == "exchanges" or short.startswith("exchange-"):
        return {"pk": o["exchange"]}
    return {"pk": o[by_app[app]]} if app in by_app else {}


def _url(name: str, objects: dict) -> str | None:
    if name.startswith("admin:"):
        return _admin_url(name)
    kwargs = url_kwargs(name, objects)
    for attempt in (kwargs, {}):
        try:
            return reverse(name, kwargs=attempt)
        except Exception:  # noqa: S112  (a URL without arguments)
            continue
    return None


def _admin_url(name: str) -> str | None:
    for kwargs in ({}, {"app_label": "registry"}, {"object_id": "1"}, {"pk": "1"},
                   {"content_type_id": "1", "object_id": "1"}):
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:  # noqa: S112  (try the next shape of arguments)
            continue
    return None


QUERIES = {
    # the downloads themselves, not only the forms that lead to them
    "intake:export_register": "?download=1&format=csv",
    "intake:export_list": "?format=csv",
}


def _is_login_redirect(resp, admin: bool) -> bool:
    if resp.status_code != 302:
        return False
    targets = (reverse("login"), reverse("admin:login")) if admin else (reverse("login"),)
    return resp["Location"].startswith(targets)


def _is_api(name: str) -> bool:
    return name.startswith("api:") or name == "schema"


def _implemented_methods(view) -> set[str] | None:
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is None or not hasattr(cls, "http_method_names"):
        return None
    return {m.upper() for m in cls.http_method_names if hasattr(cls, m) and m not in ("options", "head")}


def test_every_url_has_a_row_in_the_matrix():
    names = {e.name for e in all_endpoints() if not e.name.startswith(matrix.ADMIN_NAMESPACE + ":")}
    missing = sorted(names - set(matrix.MATRIX))
    stale = sorted(set(matrix.MATRIX) - names)
    assert not missing, f"URLs without a row in accounts/matrix.py: {missing}"
    assert not stale, f"rows in accounts/matrix.py for URLs that no longer exist: {stale}"


def test_api_views_offer_exactly_the_methods_of_the_matrix():
    for e in all_endpoints():
        implemented = _implemented_methods(e.view)
        if implemented is None or e.name.startswith("admin:") or e.name not in matrix.MATRIX:
            continue
        if not e.name.startswith("api:"):
            continue
        assert implemented == set(matrix.MATRIX[e.name]), (e.name, implemented, set(matrix.MATRIX[e.name]))


def _request(client: Client, method: str, url: str, api: bool):
    """One request in a savepoint that is rolled back; returns (response or None, status, body,
    audit events written)."""
    with transaction.atomic():
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        try:
            if api and method != "GET":
                resp = client.generic(method, url, data="{}", content_type="application/json")
            elif method == "POST":
                resp = client.post(url, {})
            else:
                resp = client.generic(method, url)
        except Exception as exc:  # a view that crashes is a finding too
            transaction.set_rollback(True)
            return None, 500, repr(exc), 0
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        audited = AuditEvent.objects.filter(id__gt=before).exclude(action__in=("login", "logout")).count()
        transaction.set_rollback(True)
    return resp, resp.status_code, body.decode("utf-8", "replace"), audited


def test_the_matrix_holds_for_every_role_and_every_url(world, make_user):
    visitors: dict[str, tuple[Client, frozenset[str] | None]] = {"anonymous": (Client(), None)}
    for role in ROLES:
        c = Client(HTTP_ACCEPT_LANGUAGE="en")
        c.force_login(make_user(role.slug))
        visitors[role.slug] = (c, frozenset({role.slug}))

    problems: list[str] = []
    walked = 0
    for e in all_endpoints():
        admin = e.name.startswith(matrix.ADMIN_NAMESPACE + ":")
        url = _url(e.name, world)
        if url is None:
            problems.append(f"{e.name}: cannot build a URL (add its arguments to url_kwargs)")
            continue
        url += QUERIES.get(e.name, "")
        row = matrix.admin_row(e.name) if admin else matrix.MATRIX.get(e.name, {})
        methods = sorted(set(row) | {"GET"})
        if e.name in ("logout", "admin:logout"):
            methods = ["GET"]  # the POST signs the visitor out: tested in tests/accounts/test_login.py
        for who, (client, user_roles) in visitors.items():
            for method in methods:
                walked += 1
                resp, status, body, audited = _request(client, method, url, _is_api(e.name))
                where = f"{who:16} {method:6} {e.name} ({url}) -> {status}"
                if status >= 500:
                    problems.append(f"{where}: server error {body[:200]}")
                    continue
                if method not in row:
                    # GET on a write-only endpoint: nobody gets a page
                    if status < 300:
                        problems.append(f"{where}: expected no page for a method the matrix does not list")
                    continue
                may = matrix.allowed(row[method], user_roles)
                login_redirect = resp is not None and _is_login_redirect(resp, admin)
                if may:
                    if status in (401, 403) or login_redirect:
                        problems.append(f"{where}: expected to be allowed")
                        continue
                    if (method == "GET" and status == 200 and e.name in matrix.AUDITED_READS
                            and not audited):
                        problems.append(f"{where}: a read of persons left no audit event")
                    shown = PLANTED.search(body)
                    if status == 200 and shown and not audited:
                        problems.append(f"{where}: shows the person name {shown.group(0)!r} and left no audit "
                                        "event")
                    # an empty body rarely creates anything; when it does, the write is audited
                    # (an empty PATCH that changes nothing writes nothing and records nothing)
                    if method != "GET" and status == 201 and not audited:
                        problems.append(f"{where}: a write that created something left no audit event")
                    for secret, readers in SECRETS.items():
                        if secret in body and not (user_roles and user_roles & readers):
                            problems.append(f"{where}: shows {secret!r} to a role that may not read it")
                elif user_roles is None:
                    if _is_api(e.name):
                        if status not in (401, 403):
                            problems.append(f"{where}: expected 401/403 for an anonymous API call")
                    elif not login_redirect:
                        problems.append(f"{where}: expected a redirect to the login page")
                elif admin:
                    # the admin refuses with its login page, 403, or a redirect to its index
                    if status not in (302, 403, 404):
                        problems.append(f"{where}: expected the admin to refuse")
                elif status != 403:
                    problems.append(f"{where}: expected 403")
    assert walked > 500
    assert not problems, f"{len(problems)} disagreements with accounts/matrix.py:\n" + "\n".join(problems)


def test_each_secret_is_shown_to_its_readers(world, make_user):
    """The other half of the leak check: the planted values do appear where they belong, so the
    walk above is not passing because nothing shows them."""
    person = world["person"]
    cases = [
        ("medical_officer", reverse("registry:person_detail", args=[person]), MEDICAL_SECRET),
        ("registrar", reverse("registry:person_detail", args=[person]), CONTACT_SECRET),
        ("case_worker", reverse("api:person-detail", args=[person]), CONTACT_SECRET),
        ("finance_officer", reverse("payments:person", args=[person]), IBAN),
    ]
    for role, url, secret in cases:
        c = Client(HTTP_ACCEPT_LANGUAGE="en")
        c.force_login(make_user(role))
        resp = c.get(url)
        assert resp.status_code == 200
        text = resp.content.decode()
        assert any(s in text for s in SECRETS if s.replace(" ", "") == secret.replace(" ", "")), (role, url)
