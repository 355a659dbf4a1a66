"""Helpers for the tests of background operations: run what was queued (the ``queued_work``
fixture of tests/conftest.py) as the worker does, chunk sizes, and a cancel after the n-th chunk."""

from __future__ import annotations

import dataclasses

from homecoming.operations import kinds, runner, services
from homecoming.operations.models import Operation


def run_queued(backend) -> None:
    """Run every queued operation as the worker does, then forget the tasks."""
    for result in list(backend.results):
        runner.run(*result.args)
    backend.clear()


def in_chunks_of(monkeypatch, kind_name: str, size: int) -> None:
    monkeypatch.setitem(kinds._KINDS, kind_name, dataclasses.replace(kinds.get(kind_name), chunk_size=size))


def cancel_after_chunk(monkeypatch, kind_name: str, n: int, who) -> list[int]:
    """Someone asks for a cancel while chunk ``n`` runs (its transaction commits the cancel with
    the chunk): the runner must stop before chunk n+1. Returns the sizes of the chunks run."""
    kind = kinds.get(kind_name)
    sizes: list[int] = []

    def chunk(actor, op, items):
        sizes.append(len(items))
        counts = kind.chunk(actor, op, items)
        if len(sizes) == n:
            services.request_cancel(who, op.pk)
        return counts

    monkeypatch.setitem(kinds._KINDS, kind_name, dataclasses.replace(kind, chunk=chunk))
    return sizes


def only(kind: str) -> Operation:
    (op,) = Operation.objects.filter(kind=kind)
    return op
