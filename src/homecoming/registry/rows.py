"""Plain-row writes for large loads (file imports, the demo register): COPY on PostgreSQL,
executemany on SQLite. Model instances and ``bulk_create`` cost more than the insert itself at
these sizes, so imports and the demo share this one writer; it sits apart from the demo so that
the import path does not load demonstration code. Callers own the transaction, the audit event
and the derived columns.
"""

from __future__ import annotations

from django.db import connection


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Write ``rows`` (values already adapted to the database) into ``model``'s table."""
    if not rows:
        return
    table = model._meta.db_table
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", rows)  # noqa: S608


def allocate_ids(model, n: int) -> list[int]:
    """``n`` new primary keys: from the sequence on PostgreSQL (safe beside concurrent inserts); on
    SQLite after the largest id (the transaction holds the database's write lock)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [model._meta.db_table, n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - a model's own table
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + n))


def db_values(model, instances) -> tuple[list[str], list[tuple]]:
    """The columns of ``model`` and one tuple of adapted values per instance, for :func:`insert_rows`."""
    fields = list(model._meta.concrete_fields)
    dates, stamps = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value

    def adapt(f, value):
        if value is None:
            return None
        kind = f.get_internal_type()
        return stamps(value) if kind == "DateTimeField" else dates(value) if kind == "DateField" else value

    return [f.column for f in fields], [tuple(adapt(f, getattr(obj, f.attname)) for f in fields)
                                        for obj in instances]
