"""On PostgreSQL, an index of persons' names in the Ukrainian ICU collation, so the register is
browsed in Ukrainian alphabetical order by reading this index in order (homecoming.common.collation).

Not declared on the model: on SQLite the collation is registered by the application on each
connection, and an index that named it would make the schema depend on it (an outside sqlite3
tool could no longer write to the table). SQLite sorts the rows instead.
"""

from django.db import migrations

INDEX = "person_name_uk_idx"
CREATE = (f'CREATE INDEX IF NOT EXISTS {INDEX} ON registry_person '
          '(last_name COLLATE "uk-UA-x-icu", first_name COLLATE "uk-UA-x-icu", '
          'patronymic COLLATE "uk-UA-x-icu", id)')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_merge_status_model_and_plain_names")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
