"""Every write of intake: uploads and their checks, imports of persons and lists, review
decisions. Each function checks the actor's permission, runs in a transaction and is audited.

An import goes: :func:`stage_upload` (read and check; nothing imported; a broken file creates
nothing) → :func:`update_mapping` (optional, the user corrects the columns) →
:func:`start_import` (runs it now when small, otherwise as a background task) →
:func:`run_import` (reads, checks again, writes everything in one transaction or nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import threading

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.workers import is_alive, worker_lock, worker_name
from homecoming.registry import services as registry_services
from homecoming.registry.models import STATUSES_BY_SIDE, Person, Side, SourceKind, Status

from . import columns, linking, parsing, selectors
from .models import (
    ColumnMapping,
    Decision,
    ImportJob,
    ImportKind,
    IncomingList,
    JobState,
    ListRow,
    RowState,
)
from .register_index import using_register_index

log = logging.getLogger(__name__)
MAX_STORED_ERRORS = 1000
MAX_STORED_SKIPPED = 1000


class CommandLineActor(str):
    """The actor of ``homecoming import`` run on the server: whoever can run the command can
    already reach the database. Audited under its name (``command line (user)``)."""

    is_authenticated = False
    pk = None

    def __new__(cls, name: str | None = None):
        return super().__new__(cls, f"command line ({name or os.environ.get('USER', 'unknown')})")

    def has_perm(self, perm: str) -> bool:
        return True


class AlreadyImported(ValidationError):
    pass


class RowAlreadyDecided(Exception):
    """Someone else decided this row first: nothing was changed."""

    def __init__(self, row: ListRow):
        self.row = row
        who = row.decided_by.get_username() if row.decided_by_id else _("someone else")
        when = timezone.localtime(row.decided_at).strftime("%Y-%m-%d %H:%M") if row.decided_at else ""
        super().__init__(
            _("Row %(row)s was already decided by %(who)s at %(when)s (%(state)s). Your decision was not saved; "
              "nothing was changed.") % {"row": row.row_number, "who": who, "when": when,
                                         "state": row.get_state_display()})


def _require(actor, *perms: str) -> None:
    for perm in perms:
        if actor is None or not actor.has_perm(perm):
            raise PermissionDenied(_("You do not have the permission to do this."))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def stale_after() -> dt.timedelta:
    """A job queued or running for longer than this is taken to have died with its process."""
    return dt.timedelta(minutes=int(getattr(settings, "IMPORT_STALE_MINUTES", 60)))


def _abandoned(job: ImportJob) -> bool:
    if job.state not in (JobState.QUEUED, JobState.RUNNING):
        return False
    return (job.started_at or job.created_at) < timezone.now() - stale_after()


def ours_statuses() -> list[str]:
    return [s for s in Status.values if s in STATUSES_BY_SIDE[Side.OURS]]


# --- upload and check --------------------------------------------------------------------------

def _check_upload_fields(kind, source_kind, source_reference, list_date, status_on_accept) -> dict:
    errors: dict[str, list[str]] = {}
    if kind not in ImportKind.values:
        errors["kind"] = [_("Choose persons or list.")]
    if source_kind not in SourceKind.values:
        errors["source_kind"] = [_("Choose the kind of source.")]
    if not (source_reference or "").strip():
        errors["source_reference"] = [_("Say where the file comes from (for example “list handed over on "
                                        "7 June by the mediator”).")]
    elif len(source_reference) > 200:
        errors["source_reference"] = [_("At most %(n)s characters.") % {"n": 200}]
    if not isinstance(list_date, dt.date):
        try:
            list_date = dt.date.fromisoformat(str(list_date))
        except ValueError:
            errors["list_date"] = [_("Enter a date as YYYY-MM-DD.")]
    if isinstance(list_date, dt.date) and list_date > timezone.localdate():
        errors["list_date"] = [_("The date cannot be in the future.")]
    if status_on_accept and status_on_accept not in ours_statuses():
        errors["status_on_accept"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(ours_statuses())}]
    if errors:
        raise ValidationError(errors)
    return {"list_date": list_date}


class _CheckCache(threading.local):
    """The last check made by this thread, kept for the import that follows it in the same
    thread (the command line checks and imports at once) so that the file is not read twice.

    Per thread, and keyed by everything the check depended on (the saved job's id, the file's
    hash, the columns, the encoding and the sheet): a check of another file in another thread, or
    of this job with other columns, can never be taken for this one (issue 16: one interleaving
    of two uploads in one process marked job A done with file B's rows)."""

    def __init__(self):
        self.key = None
        self.result = None


_checks = _CheckCache()


def _check_key(job: ImportJob) -> tuple:
    return (job.pk, job.sha256, tuple(job.mapping), job.encoding_choice, job.sheet)


def _remember(job: ImportJob, result: columns.CheckResult) -> None:
    _checks.key, _checks.result = _check_key(job), result


def _recall(job: ImportJob) -> columns.CheckResult | None:
    key, result = _checks.key, _checks.result
    _checks.key = _checks.result = None
    return result if key is not None and key == _check_key(job) else None


def _read(job: ImportJob, progress=None) -> parsing.Table:
    return parsing.read_table(bytes(job.content), job.filename, sheet=job.sheet or None, progress=progress,
                              encoding=job.encoding_choice or None)


def _check_job(job: ImportJob, table: parsing.Table | None = None, progress=None) -> columns.CheckResult:
    table = table or _read(job)
    result = columns.check_rows(table.headers, table.rows, job.mapping, job.kind, progress=progress)
    job.total_rows = len(table.rows)
    job.valid_rows = len(result.rows)
    job.bad_rows = result.bad_rows
    job.error_count = len(result.errors)
    job.errors = [e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]]
    return result


def stage_upload(actor, *, content: bytes, filename: str, kind: str, source_kind: str, source_reference: str,
                 list_date, status_on_accept: str = "", sheet: str = "", request=None) -> ImportJob:
    """Take a file for import. Raises ``ValidationError`` (nothing created) for bad fields, a file
    already imported, or a file refused on sight (empty, too large, macros, old .xls). Otherwise the
    file is kept as a job being checked and the check runs as a background task (never in the web
    request: a hostile file costs a worker, not a server thread); the job ends ``staged`` with its
    check report, or ``failed`` with the reason. A file already staged and not yet imported gives
    that job."""
    _require(actor, "intake.import_persons" if kind == ImportKind.PERSONS else "intake.add_incominglist")
    values = _check_upload_fields(kind, source_kind, source_reference, list_date, status_on_accept)
    try:
        parsing.precheck(content, filename)
    except parsing.FileProblem as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    sha = hashlib.sha256(content).hexdigest()
    done = selectors.done_job_with_hash(kind, sha)
    if done is not None:
        raise AlreadyImported({"file": [_already_message(done)]})
    pending = ImportJob.objects.defer("content").filter(
        kind=kind, sha256=sha, state__in=[JobState.CHECKING, JobState.STAGED, JobState.QUEUED, JobState.RUNNING],
        sheet=sheet or "").first()
    if pending is not None and _abandoned(pending):
        # its process ended (killed, out of memory, power cut) before it finished: everything it
        # wrote was in one transaction that never committed, so it is closed and the file taken anew
        _fail(pending.pk, _("The import stopped before it finished (its process ended); nothing of it was "
                            "imported."))
        record(actor, "intake.abandoned", object_type="import", object_id=pending.pk,
               details={"state": pending.state}, request=request)
        pending = None
    if pending is not None:
        return pending
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind, filename=(os.path.basename(filename or "") or "upload")[:255], sha256=sha, size=len(content),
            content=content, sheet=sheet or "", state=JobState.CHECKING, phase="queued",
            source_kind=source_kind, source_reference=source_reference.strip(), list_date=values["list_date"],
            status_on_accept=status_on_accept or (Status.MISSING if kind == ImportKind.PERSONS
                                                  else Status.CAPTIVITY_CONFIRMED),
            created_by=_user(actor),
        )
        record(actor, "intake.upload", object_type="import", object_id=job.pk,
               details={"kind": kind, "file": job.filename, "sha256": sha, "size": len(content)}, request=request)
        _run_or_enqueue(actor, "check", job.pk)
    job.refresh_from_db()
    return job


def _run_or_enqueue(actor, what: str, job_id: int) -> None:
    """The command line does the work itself; everyone else's runs as a background task (the
    immediate backend runs it at once in tests). Enqueued inside the caller's transaction: with
    the database backend the task row appears only when that transaction commits."""
    from . import tasks

    if isinstance(actor, CommandLineActor):
        (check_job if what == "check" else run_import)(job_id, actor)
    elif what == "check":
        tasks.check_file.enqueue(job_id)
    else:
        tasks.import_file.enqueue(job_id, getattr(actor, "pk", None))


def check_job(job_id: int, actor=None, *, progress=None) -> ImportJob:
    """Read and check the file of a job in state ``checking`` (the background task, or the command
    line): its columns (a saved mapping for these headers, or a guess), every row, and for a CSV
    that is not UTF-8 the readings in each candidate encoding. Ends ``staged`` with the report, or
    ``failed`` with what is wrong with the file; writes nothing else."""
    job = ImportJob.objects.get(pk=job_id)
    if job.state != JobState.CHECKING:
        return job
    _claim(job_id, "reading")
    try:
        with worker_lock(job_id):
            table = _read(job, progress=lambda n: _progress(job_id, "reading", n))
            if job.mapping and len(job.mapping) == len(table.headers) and job.headers == table.headers:
                saved = None  # the columns a person set: kept
            else:
                saved = ColumnMapping.objects.filter(signature=columns.header_signature(table.headers)).first()
                job.mapping = saved.mapping if saved and len(saved.mapping) == len(table.headers) else \
                    columns.guess_mapping(table.headers)
            job.headers = table.headers
            job.file_format, job.delimiter = table.format, table.delimiter
            job.encoding = table.encoding
            job.encoding_guesses = [vars(g) for g in table.guesses]
            job.encoding_confirmed = not table.guesses or bool(job.encoding_choice)
            job.sheet = table.sheet if job.sheet else ""
            job.samples = [cells[:len(table.headers)] for _n, cells in table.rows[:3]]
            result = _check_job(job, table, progress=lambda n: _progress(job_id, "checking", n))
    except parsing.FileProblem as exc:
        _fail(job_id, str(exc))
        record(actor or job.created_by or "system", "intake.check", object_type="import", object_id=job_id,
               details={"state": JobState.FAILED})
        return ImportJob.objects.get(pk=job_id)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job_id)
        if locked.state != JobState.CHECKING:  # cancelled or closed meanwhile
            return locked
        job.state, job.phase, job.worker = JobState.STAGED, "", ""
        job.save(update_fields=["state", "phase", "worker", "headers", "mapping", "file_format", "delimiter",
                                "encoding", "encoding_guesses", "encoding_confirmed", "sheet", "samples",
                                "total_rows", "valid_rows", "bad_rows", "error_count", "errors"])
        record(actor or job.created_by or "system", "intake.check", object_type="import", object_id=job_id,
               details={"state": JobState.STAGED, "rows": job.total_rows, "errors": job.error_count,
                        "encoding_guessed": bool(job.encoding_guesses), "mapping_saved": saved is not None})
    _remember(job, result)
    return job


def _already_message(done: ImportJob) -> str:
    return _("This file was already imported on %(date)s by %(who)s (import %(id)s): nothing was imported "
             "again.") % {"date": timezone.localtime(done.finished_at or done.created_at).strftime("%Y-%m-%d %H:%M"),
                          "who": done.created_by.get_username() if done.created_by_id else _("the command line"),
                          "id": done.pk}


@transaction.atomic
def update_mapping(actor, job_id: int, mapping: list[str], *, save: bool = True, request=None) -> ImportJob:
    """Set the column mapping of a staged job (and remember it for files with these headers)."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    _require(actor, "intake.import_persons" if job.kind == ImportKind.PERSONS else "intake.add_incominglist")
    if job.state != JobState.STAGED:
        raise ValidationError(_("This import has already started; its columns can no longer be changed."))
    mapping = [m or "" for m in mapping]
    if len(mapping) != len(job.headers):
        raise ValidationError(_("Give one choice for each of the %(n)s columns.") % {"n": len(job.headers)})
    problems = columns.mapping_problems(mapping, job.kind, structure_only=True)
    if problems:
        raise ValidationError(problems)
    job.mapping = mapping
    job.state, job.phase = JobState.CHECKING, "queued"
    job.save(update_fields=["mapping", "state", "phase"])
    if save:
        ColumnMapping.objects.update_or_create(
            signature=columns.header_signature(job.headers),
            defaults={"headers": job.headers, "mapping": mapping, "updated_by": _user(actor)})
    record(actor, "intake.mapping", object_type="import", object_id=job.pk,
           details={"mapping": mapping, "saved": save}, request=request)
    _run_or_enqueue(actor, "check", job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def choose_encoding(actor, job_id: int, encoding: str, *, request=None) -> ImportJob:
    """A person looked at the readings of a file whose encoding was only a guess and chose the
    one that reads right: the file is checked again in it, and may then be imported."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    _require(actor, "intake.import_persons" if job.kind == ImportKind.PERSONS else "intake.add_incominglist")
    if job.state != JobState.STAGED:
        raise ValidationError(_("This import has already started; its encoding can no longer be changed."))
    offered = [g["encoding"] for g in job.encoding_guesses]
    if encoding not in offered:
        raise ValidationError({"encoding": [_("Choose one of the readings shown.")]})
    job.encoding_choice, job.encoding_confirmed = encoding, True
    job.state, job.phase = JobState.CHECKING, "queued"
    job.save(update_fields=["encoding_choice", "encoding_confirmed", "state", "phase"])
    record(actor, "intake.encoding", object_type="import", object_id=job.pk, details={"encoding": encoding},
           request=request)
    _run_or_enqueue(actor, "check", job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def cancel_import(actor, job_id: int, *, request=None) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    _require(actor, "intake.import_persons" if job.kind == ImportKind.PERSONS else "intake.add_incominglist")
    if job.state not in (JobState.STAGED, JobState.CHECKING):
        raise ValidationError(_("Only an import that has not started can be cancelled."))
    job.state = JobState.CANCELLED
    job.content = b""
    job.save(update_fields=["state", "content"])
    record(actor, "intake.cancel", object_type="import", object_id=job.pk, details={}, request=request)
    return job


def start_import(actor, job_id: int, *, only_valid: bool = False, request=None, progress=None) -> ImportJob:
    """Confirm a staged import. Refused (``ValidationError``, nothing changed) when the file has
    errors and ``only_valid`` is not set, when no row is valid, or when the columns do not name
    the person. Small files run at once; large ones as a background task."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        _require(actor, *(("intake.import_persons", "registry.add_person") if job.kind == ImportKind.PERSONS
                          else ("intake.add_incominglist",)))
        if job.state == JobState.CHECKING:
            raise ValidationError(_("The file is still being checked; wait for the check report."))
        if job.state != JobState.STAGED:
            raise ValidationError(_("This import has already been started."))
        if not job.encoding_confirmed:
            raise ValidationError({"encoding": [_("The file is not in UTF-8 and its encoding is only a guess: "
                                                  "choose the reading in which the names read right first.")]})
        problems = columns.mapping_problems(job.mapping, job.kind)
        if problems:
            raise ValidationError(problems)
        done = selectors.done_job_with_hash(job.kind, job.sha256)
        if done is not None:
            raise AlreadyImported(_already_message(done))
        if job.error_count and not only_valid:
            raise ValidationError(_("%(bad)s rows have errors, so nothing was imported. Correct the file and upload "
                                    "it again, or choose to import only the %(good)s valid rows.")
                                  % {"bad": job.bad_rows, "good": job.valid_rows})
        if not job.valid_rows:
            raise ValidationError(_("No row is valid: nothing to import."))
        job.only_valid = only_valid
        job.state = JobState.QUEUED
        job.phase = "queued"
        job.save(update_fields=["only_valid", "state", "phase"])
        record(actor, "intake.start", object_type="import", object_id=job.pk,
               details={"only_valid": only_valid, "rows": job.valid_rows}, request=request)
        if not isinstance(actor, CommandLineActor):
            _run_or_enqueue(actor, "import", job.pk)
    if isinstance(actor, CommandLineActor):
        run_import(job.pk, actor, progress=progress)
    job.refresh_from_db()
    return job


# --- running an import ------------------------------------------------------------------------

def _claim(job_id: int, phase: str) -> None:
    """This process takes the job: its name goes on the job, for :func:`recover_interrupted`."""
    ImportJob.objects.filter(pk=job_id).update(phase=phase, processed=0, worker=worker_name(),
                                               started_at=timezone.now())


def recover_interrupted(actor=None, *, request=None) -> list[int]:
    """Close every job whose worker died while checking or importing it (killed, out of memory):
    it ends ``failed``, marked as interrupted, and can be retried (:func:`retry_import`). Nothing
    of it was written: an import writes in one transaction. Returns the ids closed."""
    closed = []
    for job in ImportJob.objects.defer("content").filter(state__in=[JobState.CHECKING, JobState.RUNNING]) \
            .exclude(worker=""):
        if is_alive(job.worker, job.pk):
            continue
        with transaction.atomic():
            current = ImportJob.objects.select_for_update().defer("content").get(pk=job.pk)
            if current.state not in (JobState.CHECKING, JobState.RUNNING) or current.worker != job.worker:
                continue
            _fail(job.pk, _("The worker that was doing this stopped (it was killed or crashed); nothing of the "
                            "file was imported. Retry it."), interrupted=current.state)
            record(actor or "system", "intake.interrupted", object_type="import", object_id=job.pk,
                   details={"state": current.state, "worker": current.worker, "phase": current.phase},
                   request=request)
        closed.append(job.pk)
    return closed


@transaction.atomic
def retry_import(actor, job_id: int, *, request=None) -> ImportJob:
    """Run again a job whose worker died: its check, or its import, from the start."""
    job = ImportJob.objects.select_for_update().defer("content").get(pk=job_id)
    _require(actor, *(("intake.import_persons", "registry.add_person") if job.kind == ImportKind.PERSONS
                      else ("intake.add_incominglist",)))
    if job.state != JobState.FAILED or not job.interrupted:
        raise ValidationError(_("Only an import whose worker stopped can be retried."))
    done = selectors.done_job_with_hash(job.kind, job.sha256)
    if done is not None:
        raise AlreadyImported(_already_message(done))
    what = "check" if job.interrupted == JobState.CHECKING else "import"
    job.state = JobState.QUEUED if what == "import" else JobState.CHECKING
    job.phase, job.message, job.interrupted, job.finished_at = "queued", "", "", None
    job.save(update_fields=["state", "phase", "message", "interrupted", "finished_at"])
    record(actor, "intake.retry", object_type="import", object_id=job.pk, details={"what": what}, request=request)
    _run_or_enqueue(actor, what, job.pk)
    job.refresh_from_db()
    return job


def _progress(job_id: int, phase: str, done: int, total: int | None = None) -> None:
    fields = {"phase": phase, "processed": done}
    if total is not None:
        fields["total_rows"] = total
    ImportJob.objects.filter(pk=job_id).update(**fields)


def run_import(job_id: int, actor, *, progress=None) -> ImportJob:
    """Do the import of a queued job (in the request, the worker or the command). Everything is
    written in one transaction or nothing; the job ends ``done`` or ``failed`` with a message.
    ``progress(phase, done, total)`` is called as it goes (the command draws a bar)."""
    job = ImportJob.objects.get(pk=job_id)
    if job.state != JobState.QUEUED:
        return job
    ImportJob.objects.filter(pk=job_id).update(state=JobState.RUNNING, started_at=timezone.now(), phase="reading",
                                               processed=0, worker=worker_name())

    def report(phase: str, done: int, total: int | None = None) -> None:
        _progress(job_id, phase, done, total)
        if progress:
            progress(phase, done, total if total is not None else job.total_rows)

    try:
        with worker_lock(job_id):
            result = _recall(job)
            if result is None:
                table = _read(job, progress=lambda n: report("reading", n))
                report("checking", 0, len(table.rows))
                result = _check_job(job, table, progress=lambda n: report("checking", n))
            if job.error_count and not job.only_valid:
                raise ValidationError(_("%(bad)s rows have errors; nothing was imported.") % {"bad": job.bad_rows})
            if job.kind == ImportKind.PERSONS:
                _import_persons(job, actor, result.rows, report)
            else:
                _import_list(job, actor, result.rows, report)
    except (ValidationError, parsing.FileProblem, PermissionDenied) as exc:
        msg = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _fail(job_id, msg)
    except Exception:
        log.exception("import %s failed", job_id)
        _fail(job_id, _("The import failed unexpectedly; nothing was imported. The error was logged for the "
                        "administrator."))
    return ImportJob.objects.get(pk=job_id)


def _fail(job_id: int, message: str, *, interrupted: str = "") -> None:
    ImportJob.objects.filter(pk=job_id).update(state=JobState.FAILED, message=message, finished_at=timezone.now(),
                                               phase="", worker="", interrupted=interrupted)


def _finish(job: ImportJob, actor, details: dict) -> None:
    other = ImportJob.objects.select_for_update().filter(kind=job.kind, sha256=job.sha256,
                                                         state=JobState.DONE).exclude(pk=job.pk).first()
    if other is not None:  # two imports of the same file raced: the later one writes nothing
        raise AlreadyImported(_already_message(other))
    job.state = JobState.DONE
    job.finished_at = timezone.now()
    job.phase = ""
    job.worker = ""
    job.processed = job.total_rows
    job.save(update_fields=["state", "finished_at", "phase", "worker", "processed", "created_count", "skipped",
                            "skipped_count", "total_rows", "valid_rows", "bad_rows", "error_count", "errors",
                            "message"])
    record(actor, "intake.import", object_type="import", object_id=job.pk, details=details)


def _import_persons(job: ImportJob, actor, rows: list[columns.CheckedRow], report) -> None:
    existing = selectors.existing_identities()
    seen_in_file: dict[tuple, int] = {}
    to_create, skipped = [], []
    for r in rows:
        d = r.data
        key = columns.identity_key(d.get("last_name"), d.get("first_name"), d.get("patronymic"),
                                   d.get("birth_date"), d.get("service_number"))
        if key in existing:
            skipped.append({"row": r.row, "reason": "register", "person": existing[key]})
            continue
        if key in seen_in_file:
            skipped.append({"row": r.row, "reason": "file", "same_as_row": seen_in_file[key]})
            continue
        seen_in_file[key] = r.row
        to_create.append({f: d[f] for f in columns.PERSON_FIELDS if f in d}
                         | ({"birth_date_precision": d["birth_date_precision"]} if "birth_date" in d else {}))
    job.skipped = skipped[:MAX_STORED_SKIPPED]
    job.skipped_count = len(skipped)
    report("saving", 0, len(to_create))
    with transaction.atomic():
        persons = registry_services.bulk_create_persons(
            actor, to_create, source_kind=job.source_kind,
            source_reference=_("%(source)s (file %(file)s, import %(id)s)") % {
                "source": job.source_reference, "file": job.filename, "id": job.pk},
            status=job.status_on_accept, effective_date=job.list_date,
            progress=lambda done, total: report("saving", done),
        )
        job.created_count = len(persons)
        job.message = ""
        _finish(job, actor, {"kind": "persons", "created": len(persons), "skipped": len(skipped),
                             "bad_rows": job.bad_rows, "sha256": job.sha256})


def _import_list(job: ImportJob, actor, rows: list[columns.CheckedRow], report) -> None:
    report("linking", 0, len(rows))
    links: dict[int, dict] = {}
    chunk = 2000
    with using_register_index() as index:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            links.update(linking.link(index, [(r.row, r.data) for r in part]))
            report("linking", min(start + chunk, len(rows)))
    report("saving", 0, len(rows))
    with transaction.atomic():
        incoming = IncomingList.objects.create(
            job=job, title=f"{job.list_date.isoformat()} · {job.source_reference}"[:255],
            source_kind=job.source_kind, source_reference=job.source_reference, list_date=job.list_date,
            status_on_accept=job.status_on_accept or Status.CAPTIVITY_CONFIRMED, row_count=len(rows),
            linked_at=timezone.now(), created_by=_user(actor))
        objs = []
        for r in rows:
            lk = links.get(r.row, {})
            objs.append(ListRow(incoming_list=incoming, row_number=r.row, raw=r.raw, data=r.data,
                                decision=lk.get("decision", Decision.NONE), reason=lk.get("reason", ""),
                                candidates=lk.get("candidates", []), list_duplicates=lk.get("list_duplicates", [])))
        ListRow.objects.bulk_create(objs, batch_size=2000)
        job.created_count = len(objs)
        counts = {d: sum(1 for o in objs if o.decision == d) for d in Decision.values}
        _finish(job, actor, {"kind": "list", "list": incoming.pk, "rows": len(objs), "decisions": counts,
                             "bad_rows": job.bad_rows, "sha256": job.sha256})


# --- review decisions --------------------------------------------------------------------------

ACTIONS = ("accept", "reject", "create")


def _event_reference(row: ListRow) -> str:
    return _("%(list)s, row %(row)s") % {"list": row.incoming_list.source_description, "row": row.row_number}


@transaction.atomic
def decide_row(actor, row_id: int, *, action: str, version: int, person_id: int | None = None,
               request=None) -> ListRow:
    """Decide one row of an incoming list:

    * ``accept`` (``person_id``: a candidate or any other active person): the person gets a status
      event (the list's status, dated the list's date, source: the list and the row);
    * ``reject``: the row is nobody in the register (or not this candidate);
    * ``create``: a new person is created from the row with that status event (needs
      ``registry.add_person``).

    The row is locked; if it was decided in the meantime (its ``version`` moved on) nothing is done
    and :class:`RowAlreadyDecided` says by whom."""
    _require(actor, "intake.review_match")
    if action not in ACTIONS:
        raise ValidationError(_("Unknown decision."))
    row = ListRow.objects.select_for_update(of=("self",)).select_related("incoming_list").get(pk=row_id)
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(_("The row version is missing; reload the page.")) from None
    if row.state != RowState.OPEN or row.version != version:
        raise RowAlreadyDecided(row)
    lst = row.incoming_list
    event = None
    person = None
    if action == "accept":
        if person_id in (None, ""):
            raise ValidationError(_("Choose the person this row is."))
        person = selectors.persons_by_id([int(person_id)]).get(int(person_id))
        if person is None:
            raise ValidationError(_("There is no person with that reference."))
        event = registry_services.add_status_event(
            actor, person.pk, status=lst.status_on_accept, effective_date=lst.list_date,
            source_kind=lst.source_kind, source_reference=_event_reference(row)[:300],
            note=_("Row as received: %(raw)s") % {"raw": "; ".join(f"{k}: {v}" for k, v in row.raw.items() if v)},
            permission="intake.review_match", request=request)
        row.state = RowState.ACCEPTED
    elif action == "reject":
        row.state = RowState.REJECTED
    else:
        _require(actor, "registry.add_person")
        d = row.data
        data = {f: d[f] for f in columns.PERSON_FIELDS if d.get(f)}
        if "birth_date" in data:
            data["birth_date_precision"] = d.get("birth_date_precision") or "day"
        person = registry_services.create_person(actor, data, initial_event={
            "status": lst.status_on_accept, "effective_date": lst.list_date, "source_kind": lst.source_kind,
            "source_reference": _event_reference(row)[:300]}, request=request)
        event = person.status_events.order_by("-id").first()
        row.state = RowState.CREATED
    row.person = person
    row.status_event = event
    row.decided_by = _user(actor)
    row.decided_at = timezone.now()
    row.version += 1
    row.save(update_fields=["state", "person", "status_event", "decided_by", "decided_at", "version"])
    record(actor, f"intake.row_{action}", object_type="list_row", object_id=row.pk,
           details={"list": lst.pk, "row": row.row_number, "person": person.pk if person else None,
                    "event": event.pk if event else None, "linkage": row.decision}, request=request)
    return row


def accept_automatic(actor, list_id: int, *, request=None) -> dict:
    """Accept every undecided row the engine matched automatically (its best candidate). Rows
    decided meanwhile by someone else are left as they are; each acceptance is its own decision
    (status event, audit). Returns {"accepted": n, "skipped": n, "failed": [(row, message)]}."""
    _require(actor, "intake.review_match")
    lst = IncomingList.objects.get(pk=list_id)
    accepted, skipped, failed = 0, 0, []
    rows = list(lst.rows.filter(state=RowState.OPEN, decision=Decision.MATCH).values_list(
        "pk", "version", "row_number", "candidates"))
    for pk, version, number, cands in rows:
        if not cands:
            continue
        try:
            decide_row(actor, pk, action="accept", version=version, person_id=cands[0]["person_id"],
                       request=request)
            accepted += 1
        except RowAlreadyDecided:
            skipped += 1
        except ValidationError as exc:
            failed.append((number, " ".join(exc.messages)))
    record(actor, "intake.accept_automatic", object_type="incoming_list", object_id=lst.pk,
           details={"accepted": accepted, "skipped": skipped, "failed": len(failed)}, request=request)
    return {"accepted": accepted, "skipped": skipped, "failed": failed}


def record_review_view(actor, incoming_list: IncomingList, person_ids, *, request=None) -> None:
    """The review page shows register persons: the read is audited."""
    record(actor, "intake.review_view", object_type="incoming_list", object_id=incoming_list.pk,
           details={"persons": sorted(set(person_ids))[:200]}, request=request)


def person_for_reference(text: str) -> Person | None:
    from homecoming.registry.selectors import person_by_reference

    return person_by_reference(text)
