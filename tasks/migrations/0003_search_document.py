"""A stored search document for the action list's search, on PostgreSQL only:
a tsvector column PostgreSQL computes itself from the title (weight A) and
the description (weight D), with a GIN index, so rows written any way (the
ORM, COPY) are searchable at once and ranking reads the stored vector.

The column is not in the model's state (makemigrations stays clean, SQLite
searches without it): tasks/filters.py reads it by name. Changing the type
of the title (a longer max_length) needs the column dropped first:
PostgreSQL refuses to alter a column a generated column uses."""

from django.db import migrations

ENGLISH = "'english'::regconfig"
EXPRESSION = (
    f"setweight(to_tsvector({ENGLISH}, coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector({ENGLISH}, left(coalesce(description, ''), 200000)), 'D')"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE tasks_actionitem "
            f"ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({EXPRESSION}) STORED, "
            "ALTER COLUMN search_document SET STORAGE MAIN"
        )
        schema_editor.execute("CREATE INDEX action_document_idx ON tasks_actionitem USING gin (search_document)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE tasks_actionitem DROP COLUMN search_document")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0002_text_limits")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
