"""Backups that are known to restore: ``homecoming backup PATH`` and ``homecoming restore PATH``.

* SQLite: the online backup API of sqlite3 copies the database page by page in one read
  transaction, so the copy is consistent while the application goes on writing (WAL lets the
  writers continue). The copy is a plain single-file SQLite database (journal mode DELETE).
* PostgreSQL: ``pg_dump -Fc`` (one repeatable-read snapshot, consistent while the application
  runs) and ``pg_restore``, both found on ``PATH``.

Every backup is checked right after it is written, and every file is checked again before it
is restored: it is restored into a scratch database (a temporary SQLite file, or a scratch
PostgreSQL database that is dropped afterwards) and the audit chain in it is verified with the
same code as ``homecoming audit verify``. A backup that does not restore is no backup.

Restoring refuses to overwrite a database that holds data (any person, audit event or account)
unless ``force`` is given. Files are created readable by their owner only (mode 600): they hold
every person record.

This module names other apps' models by label (``apps.get_model``), never by import.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import connections
from django.db.utils import load_backend

from homecoming.audit import anchor
from homecoming.audit.services import behind_checkpoint, covered_checkpoints, verify_chain

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# What "the database holds data" means, and what a summary counts.
COUNTED = (("persons", "registry.Person"), ("status events", "registry.StatusEvent"),
           ("audit events", "audit.AuditEvent"), ("accounts", "accounts.User"))
DATA_MODELS = ("registry.Person", "audit.AuditEvent", "accounts.User")


class BackupError(Exception):
    """A backup or restore could not be done; ``str()`` says why and what to do."""


@dataclass
class Check:
    """What a scratch restore of a backup file showed."""

    counts: dict[str, int] = field(default_factory=dict)
    chain_problem: str | None = None
    #: events the backup lacks to reach the last checkpoint written outside the database
    behind: int = 0

    @property
    def summary(self) -> str:
        return ", ".join(f"{n} {label}" for label, n in self.counts.items())


# --- helpers --------------------------------------------------------------------------------

def _vendor(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def counts(alias: str = "default") -> dict[str, int]:
    conn = connections[alias]
    tables = set(conn.introspection.table_names())
    result = {}
    for name, label in COUNTED:
        model = _model(label)
        if model is not None and model._meta.db_table in tables:
            result[name] = model._base_manager.using(alias).count()
    return result


def holds_data(alias: str = "default") -> bool:
    conn = connections[alias]
    tables = set(conn.introspection.table_names())
    for label in DATA_MODELS:
        model = _model(label)
        if model is not None and model._meta.db_table in tables and model._base_manager.using(alias).exists():
            return True
    return False


def _file_kind(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise BackupError(f"{path}: cannot be read ({exc.strerror}).") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path}: not a Homecoming backup (neither an SQLite database nor a pg_dump custom-format "
                      "archive).")


def _private_file(path: Path) -> None:
    """Create an empty file that only its owner can read (a backup holds every person record)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


@contextmanager
def _scratch_alias(settings_dict: dict) -> Iterator[str]:
    """A temporary extra database connection with the given settings, for ``.using(alias)``.

    The connection is handed to Django's connection handler for this thread only and is not
    added to the configured databases."""
    alias = f"backup_check_{secrets.token_hex(4)}"
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    setattr(connections._connections, alias, wrapper)
    try:
        yield alias
    finally:
        try:
            wrapper.close()
        finally:
            delattr(connections._connections, alias)


def _check_alias(alias: str) -> Check:
    tables = set(connections[alias].introspection.table_names())
    event_model = _model("audit.AuditEvent")
    if event_model is None or event_model._meta.db_table not in tables:
        raise BackupError("the file holds no Homecoming database (no audit log table).")
    points, _bad = anchor.checkpoints()
    # the checkpoints the backup reaches must agree with it (a rewritten log does not); the ones it
    # does not reach say how far behind it is (an older backup, or one cut short)
    problem = verify_chain(using=alias, points=covered_checkpoints(alias, points))
    return Check(counts=counts(alias), chain_problem=problem.message if problem else None,
                 behind=behind_checkpoint(alias, points))


# --- PostgreSQL tools ----------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's "
                          f"version (Debian: apt-get install postgresql-client) and try again.")
    return path


def _pg_env(settings_dict: dict, dbname: str | None = None) -> dict[str, str]:
    """The connection as libpq environment variables (the password never on a command line)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    env["PGDATABASE"] = dbname or settings_dict["NAME"]
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: " + (" ".join(detail[-3:]) if detail else f"exit {result.returncode}"))


@contextmanager
def _pg_scratch_database(alias: str = "default") -> Iterator[str]:
    conn = connections[alias]
    base = conn.settings_dict["NAME"]
    name = f"{base[:40]}_check_{os.getpid()}_{secrets.token_hex(3)}".lower()
    quoted = conn.ops.quote_name(name)
    if conn.in_atomic_block:
        raise BackupError("a backup check cannot run inside a transaction.")
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quoted}")
    except Exception as exc:  # noqa: BLE001 - the database says why (usually a missing CREATEDB right)
        raise BackupError(f"the check needs a scratch database and could not create one ({exc}). Give the "
                          "database user the CREATEDB right.") from None
    try:
        yield name
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


# --- checking a file -----------------------------------------------------------------------------

def check_backup(path: Path | str, alias: str = "default") -> Check:
    """Restore ``path`` into a scratch database and verify the audit chain there.

    Raises :class:`BackupError` when the file does not restore; returns the counts and any chain
    problem (a backup of a log that was already tampered with restores, and says so)."""
    path = Path(path)
    vendor = _vendor(alias)
    kind = _file_kind(path)
    if kind != vendor:
        raise BackupError(f"{path}: this is a {kind} backup, but the database is {vendor}.")
    settings_dict = dict(connections[alias].settings_dict)
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="homecoming-check-") as tmp:
            copy = Path(tmp) / "check.sqlite3"
            try:
                source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                target = sqlite3.connect(copy)
                try:
                    source.backup(target)
                    target.execute("PRAGMA quick_check").fetchall()
                finally:
                    target.close()
                    source.close()
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{path}: the SQLite file is damaged ({exc}).") from None
            settings_dict["NAME"] = str(copy)
            try:
                with _scratch_alias(settings_dict) as scratch:
                    return _check_alias(scratch)
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{path}: the SQLite file is damaged ({exc}).") from None
    pg_restore = _pg_tool("pg_restore")
    with _pg_scratch_database(alias) as scratch_name:
        _run([pg_restore, "--no-password", "--no-owner", "--no-privileges", "--exit-on-error",
              "--dbname", scratch_name, str(path)],
             _pg_env(settings_dict, scratch_name), f"{path}: restoring into a scratch database")
        settings_dict["NAME"] = scratch_name
        with _scratch_alias(settings_dict) as scratch:
            return _check_alias(scratch)


# --- backup --------------------------------------------------------------------------------------

def backup(path: Path | str, *, force: bool = False, alias: str = "default") -> Check:
    """Write a backup of the database to ``path`` and check it. The file appears under its name
    only once it is complete and restores; an unreadable result is removed. Returns the check
    (whose ``chain_problem`` the caller reports: the data is saved even if the log is not intact)."""
    path = Path(path)
    vendor = _vendor(alias)
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose a new name (for example with the date) or use --force.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such directory.")
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    _private_file(partial)
    try:
        conn = connections[alias]
        if vendor == "sqlite":
            conn.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                conn.connection.backup(target)  # one step: a consistent snapshot
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                target.close()
        else:
            _run([_pg_tool("pg_dump"), "--no-password", "--format=custom", "--file", str(partial)],
                 _pg_env(conn.settings_dict), "pg_dump")
        check = check_backup(partial, alias)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return check


# --- restore -------------------------------------------------------------------------------------

def restore(path: Path | str, *, force: bool = False, accept_older: bool = False, alias: str = "default") -> Check:
    """Replace the database with the backup at ``path``, after checking the file.

    Refuses (changing nothing) a file that does not restore or whose audit chain is broken or
    disagrees with the checkpoints written outside the database, a backup whose log ends before
    the last checkpoint unless ``accept_older`` (the events after it are lost: said aloud, and a
    ``restored`` line starts the checkpoints again), and a database that holds data unless
    ``force``. Returns the check of the restored database."""
    path = Path(path)
    vendor = _vendor(alias)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    check = check_backup(path, alias)
    if check.chain_problem:
        raise BackupError(f"{path}: the audit log in this backup is NOT intact ({check.chain_problem}); "
                          "nothing was restored.")
    if check.behind and not accept_older:
        raise BackupError(f"{path}: the audit log in this backup ends {check.behind} events before the last "
                          "checkpoint written outside the database: it is an older backup or one cut short. "
                          "Nothing was restored. If it is the backup you mean to go back to, run again with "
                          "--accept-older (those events are lost, and the restore is recorded in the checkpoints).")
    conn = connections[alias]
    if holds_data(alias) and not force:
        current = ", ".join(f"{n} {label}" for label, n in counts(alias).items())
        raise BackupError(f"The database is not empty ({current}); restoring would replace all of it. "
                          "Nothing was changed. Run again with --force to replace it.")
    if vendor == "sqlite":
        conn.ensure_connection()
        if conn.in_atomic_block:
            raise BackupError("a restore cannot run inside a transaction.")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(conn.connection)  # all pages replaced under one write lock
        finally:
            source.close()
    else:
        conn.close()
        _run([_pg_tool("pg_restore"), "--no-password", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", "--dbname", conn.settings_dict["NAME"], str(path)],
             _pg_env(conn.settings_dict), f"{path}: pg_restore")
    if check.behind:
        from homecoming.audit.models import AuditHead

        head = AuditHead.objects.using(alias).filter(singleton=1).first()
        if head is not None:
            anchor.write(head.count, head.last_event_id, head.last_hash, mark=anchor.MARK_RESTORED)
    problem = verify_chain(using=alias, points=None if alias == "default" else [])
    return Check(counts=counts(alias), chain_problem=problem.message if problem else None, behind=check.behind)
