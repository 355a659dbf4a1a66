"""Two people acting on the same thing at the same moment (PostgreSQL only).

``collide(call_a, call_b)`` runs each call in its own thread, hence its own database connection,
releases them together through a barrier, and returns each one's outcome: ``("ok", result)``,
``("refused", message)`` for a ValidationError (the clear message a person gets), or
``("error", repr)`` for anything else. ``slow(module, "record")`` makes a service hold its
transaction a moment longer before its audit event, so that the other thread surely arrives
while the first still holds its locks (without a lock, both would read the same old state).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

NEEDS_POSTGRES = "needs PostgreSQL: SQLite takes one write lock per database, so writers never overlap"


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRES)


def collide(*calls, timeout: float = 30) -> list[tuple[str, object]]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object]] = [("error", "did not finish")] * len(calls)

    def run(i, call):
        from django.utils import translation

        translation.activate("en")
        try:
            barrier.wait(timeout)
            outcomes[i] = ("ok", call())
        except ValidationError as exc:
            outcomes[i] = ("refused", " ".join(exc.messages))
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            outcomes[i] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return outcomes


def slow(monkeypatch, module, name: str = "record", seconds: float = 0.5) -> None:
    real = getattr(module, name)

    def slower(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slower)


def one_wins(outcomes) -> str:
    """Assert that exactly one call succeeded and the other was refused; return the refusal."""
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    return next(str(value) for kind, value in outcomes if kind == "refused")
