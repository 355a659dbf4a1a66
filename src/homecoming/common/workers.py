"""Which process does a piece of background work, and whether it is still alive.

A job records the worker that took it (``host:pid``). While it works, the process holds a
PostgreSQL advisory lock on the job (a session lock: it goes when the connection goes, that is
when the process dies, however it dies). Another process asks for that lock without waiting: if
it gets it, the worker is gone. On SQLite every worker runs on the database's machine, so its
process id is asked instead. Either answer is immediate: a killed worker's job is found the
first time anyone looks (the job page, the list of imports, ``homecoming serve`` every 20 s).
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator

from django.db import connection

#: the first key of every advisory lock taken here ("HC" + "w"), the job's id is the second
LOCK_SPACE = 0x4843_77
#: the first key of a background operation's lock ("HC" + "o"): its ids are not import jobs' ids
OPERATION_SPACE = 0x4843_6F


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


@contextlib.contextmanager
def worker_lock(key: int, space: int = LOCK_SPACE) -> Iterator[None]:
    """Hold the advisory lock of job ``key`` while the block runs (PostgreSQL; nothing on SQLite)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [space, key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [space, key])


def is_alive(worker: str, key: int, space: int = LOCK_SPACE) -> bool:
    """Whether the worker ``host:pid`` that took job ``key`` is still working on it."""
    if not worker:
        return False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [space, key])
            (free,) = cursor.fetchone()
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [space, key])
        return not free
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname()[:60] or not pid.isdigit():
        return True  # another machine: it cannot be asked (SQLite is never shared between machines)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_a_zombie(int(pid))


def _not_a_zombie(pid: int) -> bool:
    """A killed child that its parent has not reaped yet still has a process id."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
