"""Every write of a person's name keeps the stored sort key (``Person.name_sort_key``, issue 19)
equal to :func:`homecoming.common.collation.name_sort_key` of the names: the register's name order
reads that column, so a stale key would put a person in the wrong place without any error."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.common.collation import name_sort_key
from homecoming.registry import services
from homecoming.registry.models import Person

pytestmark = pytest.mark.django_db


def stale() -> list[tuple]:
    """Persons whose stored key is not the key of their names (none, if every path keeps it)."""
    return [(pk, ln, fn, pn) for pk, ln, fn, pn, key in
            Person.objects.values_list("pk", "last_name", "first_name", "patronymic", "name_sort_key")
            if key != name_sort_key(ln, fn, pn)]


def test_every_write_path_keeps_the_stored_key(registrar, make_person):
    # create (a service, Person.save)
    ivan = make_person("Їжак", "Іван", "Петрович", birth_date=dt.date(1990, 1, 2))
    assert ivan.name_sort_key == name_sort_key("Їжак", "Іван", "Петрович") and not stale()
    # update (a queryset update of the changed columns)
    services.update_person(registrar, ivan.pk, version=ivan.version,
                           changes={"last_name": "Ґава", "patronymic": ""})
    assert Person.objects.get(pk=ivan.pk).name_sort_key == name_sort_key("Ґава", "Іван", "") and not stale()
    # a bulk import (rows inserted without save())
    made = services.bulk_create_persons(registrar, [
        {"last_name": "Єрмак", "first_name": "Олена", "patronymic": "Іванівна"},
        {"last_name": "Авер'янов", "first_name": "Юрій"},
    ], source_kind="family_application", status="missing", effective_date=dt.date(2023, 1, 1))
    assert len(made) == 2 and not stale()
    # a merge that fills the survivor's empty patronymic, and its undo
    keep = make_person("Бондаренко", "Андрій", "", birth_date=dt.date(1993, 7, 14))
    dup = make_person("Бондаренко", "Андрій", "Вікторович", birth_date=dt.date(1993, 7, 14))
    merge = services.merge_persons(registrar, keep.pk, dup.pk)
    assert Person.objects.get(pk=keep.pk).patronymic == "Вікторович" and not stale()
    services.undo_merge(registrar, merge.pk)
    assert Person.objects.get(pk=keep.pk).patronymic == "" and not stale()
    # save() with update_fields naming a name column
    person = Person.objects.get(pk=ivan.pk)
    person.first_name = "Яким"
    person.save(update_fields=["first_name"])
    assert not stale()
    assert list(Person.objects.order_by("name_sort_key", "id").values_list("last_name", flat=True)) == [
        "Авер'янов", "Бондаренко", "Бондаренко", "Ґава", "Єрмак"]


def test_the_demo_load_stores_the_key(db):
    from homecoming.registry.demo import load

    load(200, 3)
    assert Person.objects.count() >= 200 and not stale()


def test_the_migration_fills_existing_rows(make_person):
    """Rows written before the column existed get their key from the data migration."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    make_person("Шевченко", "Тарас", "Григорович")
    make_person("Іваненко", "Ольга", "")
    Person.objects.update(name_sort_key="")
    assert len(stale()) == 2
    migration = importlib.import_module("homecoming.registry.migrations.0009_person_name_sort_key")
    migration.fill(apps, SimpleNamespace(connection=connection))  # it needs only the connection
    assert not stale()


def test_browsing_by_name_reads_the_sort_key_index_in_order(make_person):
    """SQLite without statistics would pick the merged_into index (every row of the register) and
    sort them all: page 1,000 took 1.8 s on 100,000 persons, now 0.03 s (docs/benchmarks.md)."""
    from django.db import connection

    from homecoming.registry.selectors import RegisterFilters, filter_persons

    if connection.vendor != "sqlite":
        pytest.skip("the plan of SQLite without statistics (PostgreSQL keeps its own)")
    make_person("Шевченко", "Тарас", "Григорович")
    for descending in (False, True):
        qs = filter_persons(RegisterFilters(descending=descending)).values_list("pk", flat=True)[50:100]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "person_sort_key_idx" in plan and "TEMP B-TREE" not in plan, plan
