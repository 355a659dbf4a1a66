"""The register's linkage index, built once per process and kept up to date.

Building the index of a register of 100,000 persons takes seconds; linking a list of 30
rows against a built one takes milliseconds.  So each process (a web worker, the task
worker, a command) builds it at its first list and then only applies what changed.

What changed is read from the audit log: every write to the register goes through
``registry.services`` and records an audit event naming the person (``person.create``,
``person.update``, ``person.alternative_name``, ``person.merge``, ``person.withdrawn`` (a
person a review decision created, taken back by its undo) ...), and writers
serialise on the audit head, so event ids are in commit order: once event *n* is visible,
every earlier one is too.  The index remembers the last event it applied; before each use
it reloads the persons named by the events after it.  It is rebuilt from scratch when the
event it remembers is gone or has another hash (a restored database, a test's rollback) or
when its size no longer matches the register's (a write that bypassed the services).

The parameters are those of the linkage model in use (a version learnt from reviewers'
decisions, ``intake.LinkageModel``, or the built-in values): one more query per use, and a
change of version is applied to the index as it stands (its weights are computed again).

The index is not safe for two threads at once: :func:`using_register_index` holds a lock
for the whole use.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator

from homecoming.audit.models import AuditEvent, AuditHead
from homecoming.linkage import LinkageIndex
from homecoming.registry.selectors import active_persons

from .selectors import active_linkage_model, linkage_params, register_records

__all__ = ["using_register_index", "reset_register_index"]

#: person.* audit actions that do not change what the index holds (reads, status events)
_NOT_CHANGES = ("person.view", "person.search", "person.status_event", "person.status_events_bulk",
                "person.status_event_withdrawn")
#: beyond this many changed persons, building afresh is cheaper than patching
_REBUILD_ABOVE = 20_000
_DIGITS = re.compile(r"(\d+)\s*$")

_lock = threading.RLock()
_state: dict = {}


def reset_register_index() -> None:
    """Forget the index of this process (the next use builds it again)."""
    with _lock:
        _state.clear()


def _head() -> tuple[int, str]:
    row = AuditHead.objects.filter(singleton=1).values_list("last_event_id", "last_hash").first()
    return (int(row[0]), row[1]) if row else (0, "")


def _model() -> tuple[int, object]:
    """The version of the linkage model in use (0: the built-in values) and the model."""
    model = active_linkage_model()
    return (model.version if model else 0), model


def _build(head: tuple[int, str], version: int, model) -> None:
    index = LinkageIndex(register_records(), linkage_params(model))
    _state.update(index=index, event=head[0], hash=head[1], model=version)


def _changed_persons(after: int, upto: int) -> tuple[set[int], list[tuple[int, int]]] | None:
    """Person ids named by register writes in the audit events ``after < id <= upto``, and
    id ranges of bulk creations; ``None`` if so many changed that a rebuild is cheaper."""
    ids: set[int] = set()
    ranges: list[tuple[int, int]] = []
    events = (AuditEvent.objects.filter(pk__gt=after, pk__lte=upto, action__startswith="person.")
              .exclude(action__in=_NOT_CHANGES).values_list("action", "object_id", "details").order_by())
    for action, object_id, details in events:
        details = details if isinstance(details, dict) else {}
        if action == "person.bulk_create":
            if details.get("first") is not None and details.get("last") is not None:
                ranges.append((int(details["first"]), int(details["last"])))
                if int(details["last"]) - int(details["first"]) > _REBUILD_ABOVE:
                    return None
            continue
        for ref in (object_id, details.get("duplicate", "")):
            m = _DIGITS.search(str(ref or ""))
            if m:
                ids.add(int(m.group(1)))
        if len(ids) > _REBUILD_ABOVE:
            return None
    return ids, ranges


def _apply(index: LinkageIndex, ids: set[int], ranges: list[tuple[int, int]]) -> None:
    fresh = {r.id: r for r in register_records(person_ids=ids, id_ranges=ranges)}
    for pid in ids:
        if str(pid) not in fresh:
            index.remove(str(pid))  # merged away (or gone)
    for rec in fresh.values():
        index.add(rec)


def _refresh() -> LinkageIndex:
    head = _head()
    index: LinkageIndex | None = _state.get("index")
    if index is not None and head[0] >= _state["event"] and (
            _state["event"] == 0 or AuditEvent.objects.filter(pk=_state["event"], hash=_state["hash"]).exists()):
        if head[0] > _state["event"]:
            changed = _changed_persons(_state["event"], head[0])
            if changed is None:
                index = None
            else:
                _apply(index, *changed)
                _state.update(event=head[0], hash=head[1])
    else:
        index = None
    if index is not None and len(index) != active_persons().count():
        index = None
    version, model = _model()
    if index is None:
        _build(head, version, model)
    elif _state.get("model") != version:  # another learnt model was put in use
        index.set_params(linkage_params(model))
        _state["model"] = version
    return _state["index"]


@contextlib.contextmanager
def using_register_index() -> Iterator[LinkageIndex]:
    """The register's index, up to date, held for this thread until the block ends."""
    with _lock:
        yield _refresh()
