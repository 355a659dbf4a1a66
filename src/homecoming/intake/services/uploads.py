"""A file staged and checked (in a task, never in the request), its columns and encoding chosen,
or the import cancelled before it starts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.workers import worker_lock
from homecoming.registry.limits import length_errors
from homecoming.registry.models import SourceKind, Status

from .. import columns, parsing, selectors
from ..models import (
    ColumnMapping,
    ImportJob,
    ImportKind,
    JobState,
)
from .common import AlreadyImported, _abandoned, _require, _user, ours_statuses
from .jobs import _already_message, _check_job, _claim, _fail, _progress, _read, _remember, _run_or_enqueue


def _check_upload_fields(kind, source_kind, source_reference, list_date, status_on_accept) -> dict:
    errors: dict[str, list[str]] = {}
    if kind not in ImportKind.values:
        errors["kind"] = [_("Choose persons or list.")]
    if source_kind not in SourceKind.values:
        errors["source_kind"] = [_("Choose the kind of source.")]
    if not (source_reference or "").strip():
        errors["source_reference"] = [_("Say where the file comes from (for example “list handed over on "
                                        "7 June by the mediator”).")]
    else:
        errors.update(length_errors(ImportJob, {"source_reference": source_reference}))
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
    """Cancel an upload before it is imported, or stop an import that waits or runs: a queued one
    stops at once; a running one stops at its next step while it reads, checks or links the file
    (nothing is written until then). Once it saves, it ends whole: an import is all or nothing."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    _require(actor, "intake.import_persons" if job.kind == ImportKind.PERSONS else "intake.add_incominglist")
    if job.state == JobState.RUNNING:
        if job.phase == "saving":
            raise ValidationError(_("The import is saving its rows: it can no longer be stopped, and ends in a "
                                    "moment, whole."))
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
        record(actor, "intake.cancel", object_type="import", object_id=job.pk, details={"running": True},
               request=request)
        return job
    if job.state not in (JobState.STAGED, JobState.CHECKING, JobState.QUEUED):
        raise ValidationError(_("Only an import that has not ended can be cancelled."))
    job.state = JobState.CANCELLED
    job.content = b""
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "content", "finished_at"])
    record(actor, "intake.cancel", object_type="import", object_id=job.pk, details={}, request=request)
    return job
