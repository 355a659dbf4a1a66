"""The machinery of an import job shared by its check and its run: the file read once per
check, the job claimed by one worker, its progress, failure and end.
"""

from __future__ import annotations

import threading

from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.workers import worker_name

from .. import columns, parsing
from ..models import (
    ImportJob,
    JobState,
)
from .common import MAX_STORED_ERRORS, AlreadyImported, CommandLineActor


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


def _run_or_enqueue(actor, what: str, job_id: int) -> None:
    """The command line does the work itself; everyone else's runs as a background task (the
    immediate backend runs it at once in tests). Enqueued inside the caller's transaction: with
    the database backend the task row appears only when that transaction commits."""
    from .. import tasks
    from .imports import run_import  # both call this one: imported when it runs
    from .uploads import check_job

    if isinstance(actor, CommandLineActor):
        (check_job if what == "check" else run_import)(job_id, actor)
    elif what == "check":
        tasks.check_file.enqueue(job_id)
    else:
        tasks.import_file.enqueue(job_id, getattr(actor, "pk", None))


def _already_message(done: ImportJob) -> str:
    return _("This file was already imported on %(date)s by %(who)s (import %(id)s): nothing was imported "
             "again.") % {"date": timezone.localtime(done.finished_at or done.created_at).strftime("%Y-%m-%d %H:%M"),
                          "who": done.created_by.get_username() if done.created_by_id else _("the command line"),
                          "id": done.pk}


def _claim(job_id: int, phase: str) -> None:
    """This process takes the job: its name goes on the job, for :func:`recover_interrupted`."""
    ImportJob.objects.filter(pk=job_id).update(phase=phase, processed=0, worker=worker_name(),
                                               started_at=timezone.now())


def _progress(job_id: int, phase: str, done: int, total: int | None = None) -> None:
    fields = {"phase": phase, "processed": done}
    if total is not None:
        fields["total_rows"] = total
    ImportJob.objects.filter(pk=job_id).update(**fields)


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
