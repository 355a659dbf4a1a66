"""A small on-disk cache of tables derived from the name dictionaries.

Building the first-name and patronymic tables from names-translator's DAWG files (pure
Python reader) and computing their skeletons takes about a second; every command-line run
would pay it.  The derived tables are stored as JSON under ``$HOMECOMING_CACHE_DIR`` (or
``$XDG_CACHE_HOME/homecoming``, or ``~/.cache/homecoming``), named by a fingerprint of
the names-translator version and of this package's source, so any change rebuilds them.
Any failure to read or write the cache just means building in memory.
``HOMECOMING_CACHE_DIR=""`` disables it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["cached_json"]


@cache
def _fingerprint() -> str:
    import names_translator

    h = hashlib.sha256(str(getattr(names_translator, "__version__", "")).encode())
    here = Path(__file__).parent
    for p in sorted(here.glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _dir() -> Path | None:
    env = os.environ.get("HOMECOMING_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "homecoming"


def cached_json(name: str, build: Callable[[], Any]) -> Any:
    """``build()``'s JSON-able result, from the cache when present and current."""
    d = _dir()
    if d is None:
        return build()
    path = d / f"{name}-{_fingerprint()}.json"
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    data = build()
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass
    return data
