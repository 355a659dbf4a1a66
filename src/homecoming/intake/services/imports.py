"""An import run: claimed by one worker, written in one transaction or not at all, recovered
when its worker died, retried on request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.workers import is_alive, worker_lock, worker_name
from homecoming.registry import services as registry_services
from homecoming.registry.models import Status

from .. import columns, linking, parsing, selectors
from ..models import (
    Decision,
    ImportJob,
    ImportKind,
    IncomingList,
    JobState,
    ListRow,
)
from ..register_index import using_register_index
from .common import MAX_STORED_SKIPPED, AlreadyImported, CommandLineActor, _require, _user, log
from .jobs import _already_message, _check_job, _fail, _finish, _progress, _read, _recall, _run_or_enqueue


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


class _Cancelled(Exception):
    """Someone asked the import to stop (:func:`cancel_import`): raised between two steps."""


def run_import(job_id: int, actor, *, progress=None) -> ImportJob:
    """Do the import of a queued job (in the request, the worker or the command). Everything is
    written in one transaction or nothing; the job ends ``done`` or ``failed`` with a message.
    ``progress(phase, done, total)`` is called as it goes (the command draws a bar)."""
    job = ImportJob.objects.get(pk=job_id)
    if job.state != JobState.QUEUED:
        return job
    ImportJob.objects.filter(pk=job_id).update(state=JobState.RUNNING, started_at=timezone.now(), phase="reading",
                                               processed=0, worker=worker_name())

    def stop_if_asked() -> None:
        if ImportJob.objects.filter(pk=job_id, cancel_requested=True).exists():
            raise _Cancelled

    def report(phase: str, done: int, total: int | None = None) -> None:
        if phase != "saving":
            stop_if_asked()
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
            stop_if_asked()
            if job.kind == ImportKind.PERSONS:
                _import_persons(job, actor, result.rows, report)
            else:
                _import_list(job, actor, result.rows, report)
    except _Cancelled:
        ImportJob.objects.filter(pk=job_id).update(state=JobState.CANCELLED, finished_at=timezone.now(), phase="",
                                                   worker="", content=b"",
                                                   message=_("Stopped on request; nothing was imported."))
        record(actor, "intake.cancelled", object_type="import", object_id=job_id, details={})
    except (ValidationError, parsing.FileProblem, PermissionDenied) as exc:
        msg = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _fail(job_id, msg)
    except Exception:
        log.exception("import %s failed", job_id)
        _fail(job_id, _("The import failed unexpectedly; nothing was imported. The error was logged for the "
                        "administrator."))
    return ImportJob.objects.get(pk=job_id)


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
