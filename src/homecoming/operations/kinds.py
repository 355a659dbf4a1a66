"""The kinds of background operation, registered by the apps that do the work.

This app sits below the apps whose work it runs (intake, exchanges, payments), so it never
imports them: each registers its kind when it is ready (``register(Kind(...))`` in its
``operations.py``). A kind says which permission sees, starts and cancels it, how to list the
work (``plan``: run by the worker, never in the request) and how to do one chunk of it through
the app's own services (``chunk``: each call in its own transaction, as the person who started).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    #: "app.what", stored on the operation
    name: str
    #: the permission that sees, starts and cancels it (the services check theirs again on the actor)
    permission: str
    #: what the page calls it while it runs ("Confirming the automatic matches"), lazily translated
    title: Any
    #: (actor, operation) -> the items of work, in order; its length is the operation's total
    plan: Callable[[Any, Any], Sequence]
    #: (actor, operation, items) -> counts to add to the result ({"accepted": 3, "failed": [...]})
    chunk: Callable[[Any, Any, Sequence], dict]
    #: (result) -> one sentence in the reader's language, for the page
    summary: Callable[[dict], str]
    #: items per chunk (per transaction); 1 chunk for work that is all or nothing by design
    chunk_size: int = 50
    #: (actor, operation) -> None, in the transaction of the last chunk: a closing audit event
    finish: Callable[[Any, Any], None] | None = None


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> Kind:
    return _KINDS[name]


def known() -> dict[str, Kind]:
    return dict(_KINDS)
