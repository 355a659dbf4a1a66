"""The audit chain anchored outside the database.

A hash chain alone proves nothing to someone who can rewrite the whole table: delete the newest
events and point the head back, delete everything, or recompute every hash with the product's own
function. Two anchors that a database administrator does not hold:

* **A key.** Every event also carries ``mac`` = HMAC-SHA256(key, its hash). The key is read from
  ``AUDIT_KEY`` or the file ``AUDIT_KEY_FILE`` (default ``var/audit_key``, generated once, mode
  600); the database never holds it. Recomputed hashes get no valid ``mac`` without the key.
* **Checkpoints.** After every committed event a line ``checkpoint <count> <event id> <hash>
  <time> <mac>`` is appended to an append-only file (``AUDIT_CHECKPOINTS``, default
  ``var/audit-checkpoints.log``; make it append-only with ``chattr +a`` and ship it off the machine,
  docs/operations.md). ``verify`` and ``restore`` compare the log with the last checkpoint: a log
  that no longer holds that event with that hash, or holds fewer events, was cut or rewritten.

A restore of an older backup (legitimately behind the last checkpoint) is said aloud: it needs
``--accept-older`` and appends a ``restored`` line, after which the checkpoints start again from
the restored log.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

MARK_CHECKPOINT, MARK_RESTORED = "checkpoint", "restored"


def key() -> bytes:
    value = getattr(settings, "AUDIT_KEY", None)
    if value:
        return value.encode() if isinstance(value, str) else value
    path = Path(getattr(settings, "AUDIT_KEY_FILE", "") or Path(settings.VAR_DIR) / "audit_key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # written whole under another name, then linked into place: a process starting at the same
        # moment sees no file or the whole key, never an empty one
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:  # another process made it a moment ago: theirs is the key
            pass
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


def mac(digest: str) -> str:
    return hmac.new(key(), digest.encode(), hashlib.sha256).hexdigest()


def mac_ok(digest: str, value: str) -> bool:
    return hmac.compare_digest(mac(digest), value or "")


def mac_with_key_read_once():
    """``mac`` for many events at once (a walk of the log, a bulk write): the key is read once, not
    from its file for every event (which was half the time of a verification)."""
    secret = key()
    return lambda digest: hmac.new(secret, digest.encode(), hashlib.sha256).hexdigest()


def checkpoint_path() -> Path | None:
    value = getattr(settings, "AUDIT_CHECKPOINTS", None)
    return Path(value) if value else None


@dataclass(frozen=True)
class Checkpoint:
    count: int
    event_id: int
    hash: str
    time: str

    def line(self, mark: str = MARK_CHECKPOINT) -> str:
        body = f"{mark} {self.count} {self.event_id} {self.hash} {self.time}"
        return f"{body} {mac(body)}\n"


def write(count: int, event_id: int, digest: str, *, mark: str = MARK_CHECKPOINT) -> None:
    """Append one line (O_APPEND: whole lines, whatever other processes append meanwhile)."""
    path = checkpoint_path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    line = Checkpoint(count, event_id, digest, timezone.now().isoformat(timespec="seconds")).line(mark)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    if getattr(settings, "AUDIT_CHECKPOINTS_SYSLOG", False):
        import syslog

        syslog.syslog(syslog.LOG_AUTHPRIV | syslog.LOG_INFO, "homecoming-audit " + line.strip())


def parse(line: str) -> tuple[str, Checkpoint] | None:
    """(mark, checkpoint) of a line whose own MAC is right, or None (a forged or damaged line)."""
    parts = line.split()
    if len(parts) != 6 or parts[0] not in (MARK_CHECKPOINT, MARK_RESTORED) or not parts[1].isdigit() \
            or not parts[2].isdigit():
        return None
    body = " ".join(parts[:5])
    if not hmac.compare_digest(mac(body), parts[5]):
        return None
    return parts[0], Checkpoint(int(parts[1]), int(parts[2]), parts[3], parts[4])


def checkpoints(lines: list[str] | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints since the last restore (and the lines that are not valid checkpoints)."""
    if lines is None:
        path = checkpoint_path()
        lines = path.read_text().splitlines() if path is not None and path.exists() else []
    found: list[Checkpoint] = []
    bad = []
    for line in lines:
        if not line.strip():
            continue
        parsed = parse(line)
        if parsed is None:
            bad.append(line)
            continue
        mark, point = parsed
        if mark == MARK_RESTORED:
            found = [point]
        else:
            found.append(point)
    return found, bad


def last(points: list[Checkpoint]) -> Checkpoint | None:
    return max(points, key=lambda p: (p.count, p.event_id)) if points else None
