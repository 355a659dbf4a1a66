"""What every benchmark of bench/ needs the same way: a scratch PostgreSQL database beside the
one DATABASE_URL names, and its own section of docs/benchmarks.md rewritten in place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"


def postgres_scratch(url: str, suffix: str, *, keep: bool = False, fresh: bool = True) -> tuple[str, Callable]:
    """A database ``<name>_<suffix>`` on the server of ``url`` (made empty when ``fresh``, reused
    otherwise) and a function that drops it (a no-op when ``keep``). Administered from the
    server's maintenance database, so the database ``url`` names need not exist."""
    import psycopg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0] or "postgres"
    scratch = f"{name}_{suffix}"
    admin_url = f"{base}/postgres".replace("postgres://", "postgresql://", 1)

    def exec_(sql, params=None):
        with psycopg.connect(admin_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchone() if params else conn.execute(sql)

    if fresh:
        exec_(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    if fresh or not exec_("SELECT 1 FROM pg_database WHERE datname = %s", [scratch]):
        exec_(f'CREATE DATABASE "{scratch}"')

    def drop() -> None:
        if not keep:
            exec_(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')

    return f"{base}/{scratch}", drop


def write_docs_section(heading: str, intro: str, text: str) -> None:
    """Replace the section ``## heading`` of docs/benchmarks.md (or append it) with ``intro`` and
    ``text``; the other sections are left as they are."""
    body = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n\nFigures measured by `make bench`.\n"
    section = f"## {heading}\n\n{intro}\n\n{text.rstrip()}\n"
    start = body.find(f"## {heading}\n")
    if start == -1:
        body = body.rstrip("\n") + "\n\n" + section
    else:
        end = body.find("\n## ", start + 1)
        body = body[:start] + section + ("" if end == -1 else "\n" + body[end + 1:])
    DOCS.write_text(body)
