"""``homecoming import FILE --kind persons|list --source "..." [--date YYYY-MM-DD]``.

Reads and checks the file exactly as the page does; prints every bad row (row, column, value,
what was expected) and imports nothing when there are errors unless ``--only-valid`` is given.
The same file twice is recognised and not imported again. A progress bar is drawn on stderr.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from homecoming.intake import services
from homecoming.intake.columns import FIELDS
from homecoming.intake.models import JobState
from homecoming.registry.models import SourceKind

PHASES = {"reading": "reading", "checking": "checking", "linking": "linking", "saving": "saving"}


class ProgressBar:
    def __init__(self, stream, width: int = 30):
        self.stream, self.width, self.last = stream, width, 0.0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if total and done < total and now - self.last < 0.2:
            return
        self.last = now
        total = total or 0
        share = min(done / total, 1.0) if total else 0.0
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{PHASES.get(phase, phase):<9} [{bar}] {share * 100:5.1f}% {done}/{total}   ")
        self.stream.flush()

    def end(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import persons into the register, or an incoming list, from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=["persons", "list"], required=True)
        parser.add_argument("--source", required=True, help="where the file comes from (kept as provenance)")
        parser.add_argument("--date", default=None, help="date of the list, YYYY-MM-DD (default: today)")
        parser.add_argument("--source-kind", choices=SourceKind.values, default=None,
                            help="kind of source (default: other_side_list for lists, unit_report for persons)")
        parser.add_argument("--status", default="", help="status recorded (default: missing for persons, "
                                                         "captivity_confirmed on a confirmed list match)")
        parser.add_argument("--sheet", default="", help="sheet of an XLSX workbook (default: the first)")
        parser.add_argument("--encoding", default="",
                            help="the encoding of a CSV that is not UTF-8 (cp1251, koi8_u, cp866, mac_cyrillic, "
                                 "cp1252); without it such a file is refused, its readings shown")
        parser.add_argument("--only-valid", action="store_true", help="import the valid rows even if others fail")
        parser.add_argument("--user", default=None, help="act as this user (their permissions apply)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **o):
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        content = path.read_bytes()
        if o["user"]:
            actor = get_user_model().objects.filter(username=o["user"]).first()
            if actor is None:
                raise CommandError(f"no user named {o['user']!r}")
        else:
            actor = services.CommandLineActor()
        source_kind = o["source_kind"] or ("other_side_list" if o["kind"] == "list" else "unit_report")
        try:
            job = services.stage_upload(
                actor, content=content, filename=path.name, kind=o["kind"], source_kind=source_kind,
                source_reference=o["source"], list_date=o["date"] or timezone.localdate(),
                status_on_accept=o["status"], sheet=o["sheet"])
        except ValidationError as exc:
            raise CommandError(f"{path}: " + " ".join(exc.messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        if job.state == JobState.FAILED:
            raise CommandError(f"{path}: {job.message}")
        if job.state != JobState.STAGED:
            raise CommandError(f"{path}: this file is already being imported (import {job.pk}).")
        if not job.encoding_confirmed:
            offered = [g["encoding"] for g in job.encoding_guesses]
            if o["encoding"] not in offered:
                for g in job.encoding_guesses:
                    self.stderr.write(f"--encoding {g['encoding']} ({g['label']}): " + " | ".join(g["lines"][:2]))
                services.cancel_import(actor, job.pk)
                raise CommandError(f"{path}: the file is not UTF-8 and its encoding can only be guessed; run again "
                                   "with the --encoding whose reading above is right. Nothing was imported.")
            job = services.choose_encoding(actor, job.pk, o["encoding"])
            if job.state != JobState.STAGED:
                raise CommandError(f"{path}: {job.message}")
        self.stdout.write(f"{path.name}: {job.total_rows} rows, {job.file_format.upper()}"
                          + (f", {job.encoding}, separator {job.delimiter!r}" if job.file_format == "csv" else
                             f", sheet {job.sheet or 'first'}"))
        labels = {f: str(v[0]) for f, v in FIELDS.items()}
        cols = ", ".join(f"{h!r} -> {labels.get(m, '-') if m else '-'}" for h, m in zip(job.headers, job.mapping,
                                                                                          strict=False))
        self.stdout.write(f"columns: {cols}")
        if job.error_count:
            for e in job.errors:
                self.stderr.write(f"row {e['row']}, column {e['column'] or '-'}: {e['value']!r}: expected "
                                  f"{e['expected']}")
            if job.error_count > len(job.errors):
                self.stderr.write(f"... and {job.error_count - len(job.errors)} more errors")
            self.stderr.write(f"{job.bad_rows} of {job.total_rows} rows have errors.")
            if not o["only_valid"]:
                services.cancel_import(actor, job.pk)
                raise CommandError("nothing was imported (use --only-valid to import the valid rows)")
        bar = None if o["no_progress"] else ProgressBar(sys.stderr)
        try:
            job = services.start_import(actor, job.pk, only_valid=o["only_valid"], progress=bar)
        except ValidationError as exc:
            services.cancel_import(actor, job.pk)
            raise CommandError(" ".join(exc.messages)) from None
        if bar is not None:
            bar.end()
        if job.state != JobState.DONE:
            raise CommandError(f"import {job.pk} failed: {job.message}")
        if o["kind"] == "persons":
            self.stdout.write(f"import {job.pk}: {job.created_count} persons created, {job.skipped_count} already "
                              f"present (skipped), {job.bad_rows} rows with errors left out.")
            for s in job.skipped[:50]:
                where = (f"person HC-{s['person']:06d}" if s.get("person") else f"row {s.get('same_as_row')}")
                self.stdout.write(f"  row {s['row']}: already present ({where})")
        else:
            lst = job.incoming_list
            counts = {d: lst.rows.filter(decision=d).count() for d in ("match", "review", "none")}
            self.stdout.write(f"import {job.pk}: list {lst.pk} with {lst.row_count} rows: {counts['match']} "
                              f"automatic matches, {counts['review']} to review, {counts['none']} without candidate.")
