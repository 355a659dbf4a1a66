"""Invariants between modules: statements that must hold on every database, whatever order the
services ran in. Each app states its own in ``<app>/invariants.py`` with :func:`invariant`;
``homecoming invariants`` runs them all on a database (operators run it nightly,
docs/operations.md), and the stateful property tests (tests/core/test_stateful.py) run them after
every step of a random day of work.

A check returns the ids of the records that break it (never a name: the output goes to logs and
tickets). An app is free to use its own selectors; the registry here is plain Python.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Invariant:
    code: str  # "exchanges.returned_entry_without_return"
    statement: str  # what must hold, in English, for operators
    record: str  # the kind of record the ids name ("person", "list entry", ...)
    check: Callable[[], list[int]]


_REGISTRY: dict[str, Invariant] = {}


def invariant(code: str, statement: str, *, record: str):
    """Register a check: ``@invariant("aftercare.returnee_without_case", "...", record="person")``."""

    def register(fn: Callable[[], list[int]]):
        _REGISTRY[code] = Invariant(code, statement, record, fn)
        return fn

    return register


def all_invariants() -> list[Invariant]:
    """Every invariant of the installed apps (their ``invariants`` modules are imported here)."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("homecoming."):
            try:
                importlib.import_module(f"{config.name}.invariants")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.invariants":
                    raise
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def broken() -> dict[str, list[int]]:
    """code -> the ids breaking it, for every invariant that does not hold."""
    out = {}
    for inv in all_invariants():
        ids = sorted(set(inv.check()))
        if ids:
            out[inv.code] = ids
    return out
