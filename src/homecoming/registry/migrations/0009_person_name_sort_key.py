"""The stored name sort key (issue 19): ``Person.name_sort_key``, filled for existing rows in
batches, and its index with the id; the register sorts by it on both databases. The PostgreSQL
ICU index of migration 0007 is no longer read by any query, so it goes (created again on the
way back).

The fill uses homecoming.common.collation.name_sort_key as it is when the migration runs: a
later change of the key function must come with a migration that fills the column again.
"""

import homecoming.registry.models
from django.conf import settings
from django.db import migrations, models


BATCH = 2000


def fill(apps, schema_editor):
    from homecoming.common.collation import name_sort_key

    Person = apps.get_model("registry", "Person")
    table = schema_editor.connection.ops.quote_name(Person._meta.db_table)
    last = 0
    while True:
        rows = list(Person.objects.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "last_name", "first_name", "patronymic")[:BATCH])
        if not rows:
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET name_sort_key = %s WHERE id = %s",
                               [(name_sort_key(ln, fn, pn), pk) for pk, ln, fn, pn in rows])
        last = rows[-1][0]


def drop_icu_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_name_uk_idx")


def create_icu_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS person_name_uk_idx ON registry_person (last_name COLLATE "uk-UA-x-icu", '
            'first_name COLLATE "uk-UA-x-icu", patronymic COLLATE "uk-UA-x-icu", id)')


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0008_merge_collation_counts_remains'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='person',
            options={'ordering': ['name_sort_key', 'id'], 'permissions': [('merge_person', 'Can merge two records of the same person'), ('view_medical', 'Can read medical notes'), ('change_medical', 'Can change the medical category and notes'), ('view_contacts', 'Can read family contacts'), ('change_referencedata', 'Can change reference lists (branches, directions, ranks, operations)')], 'verbose_name': 'person', 'verbose_name_plural': 'persons'},
        ),
        migrations.AddField(
            model_name='person',
            name='name_sort_key',
            field=homecoming.registry.models.BinaryKeyField(default='', editable=False, max_length=908, verbose_name='name sort key'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['name_sort_key', 'id', 'merged_into'], name='person_sort_key_idx'),
        ),
        migrations.RunPython(drop_icu_index, create_icu_index, elidable=False),
    ]
