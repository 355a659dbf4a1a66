"""Crash safety: run real work in a child process against a database the test can see, kill it
with SIGKILL half-way, and look at what is left.

On SQLite the suite's database lives in memory, which no other process can open: the database is
copied (sqlite3 backup API) to a file first and the child works on that file. On PostgreSQL the
child works on the suite's own test database (the test is transactional, so it sees what the
test wrote). The child runs with production-like settings (not the test settings).
"""

from __future__ import annotations

import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

COUNTED_TABLES = ("registry_person", "registry_statusevent", "registry_personnamekey", "registry_source",
                  "audit_auditevent")


class ChildDatabase:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        if connection.vendor == "sqlite":
            self.file = tmp_path / "crash.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            self.url = f"sqlite:///{self.file}"
        else:
            self.file = None
            s = connection.settings_dict
            auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s.get("PASSWORD") else "")
            self.url = f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
        self.env = {**os.environ, "DATABASE_URL": self.url, "HOMECOMING_VAR_DIR": str(tmp_path / "var"),
                    "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "ERROR"}
        self.env.pop("HOMECOMING_TESTING", None)
        from django.conf import settings

        self.env["AUDIT_KEY"] = settings.AUDIT_KEY  # the events the test wrote are checked with the same key

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.file is not None:
            db = sqlite3.connect(self.file)
            try:
                return db.execute(sql, params).fetchall()
            finally:
                db.close()
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall()

    def counts(self, tables=COUNTED_TABLES) -> dict[str, int]:
        return {t: self.query(f"SELECT count(*) FROM {t}")[0][0] for t in tables}  # noqa: S608

    def audit_actions_after(self, last_id: int) -> list[str]:
        return [r[0] for r in self.query("SELECT action FROM audit_auditevent WHERE id > ? ORDER BY id", (last_id,))]

    def last_audit_id(self) -> int:
        return self.query("SELECT COALESCE(MAX(id), 0) FROM audit_auditevent")[0][0]

    def homecoming(self, *args: str, **kwargs) -> subprocess.Popen:
        script = Path(sys.executable).with_name("homecoming")
        cmd = [str(script)] if script.exists() else [sys.executable, "-m", "homecoming.cli"]
        kwargs.setdefault("env", self.env)
        return subprocess.Popen([*cmd, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                **kwargs)

    def python(self, code: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", code, *args], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def audit_verify(self) -> subprocess.CompletedProcess:
        proc = self.homecoming("audit", "verify")
        out, err = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def kill_when(proc: subprocess.Popen, pattern: str, *, stream: str = "stderr", timeout: float = 240) -> str:
    """Read the child's output (``\\r`` and ``\\n`` end a line) until a line matches ``pattern``,
    then SIGKILL it at once. Returns the matching line; fails with the child's output if it
    ended, or took longer than ``timeout``, before showing the marker."""
    lines: queue.Queue = queue.Queue()
    source = proc.stderr if stream == "stderr" else proc.stdout
    seen: list[str] = []

    def reader():
        buf = ""
        while True:
            ch = source.read(1)
            if not ch:
                lines.put(None)
                return
            if ch in "\r\n":
                if buf:
                    lines.put(buf)
                buf = ""
            else:
                buf += ch

    threading.Thread(target=reader, daemon=True).start()
    deadline = time.monotonic() + timeout
    regex = re.compile(pattern)
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            proc.wait(10)
            other = proc.stdout.read() if stream == "stderr" else proc.stderr.read()
            raise AssertionError(f"the child ended (exit {proc.returncode}) before the marker {pattern!r}: "
                                 f"{seen[-5:]} {other[-2000:]}")
        seen.append(line)
        if regex.search(line):
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
            assert proc.returncode == -signal.SIGKILL
            return line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    raise AssertionError(f"no marker {pattern!r} within {timeout}s: {seen[-5:]}")
