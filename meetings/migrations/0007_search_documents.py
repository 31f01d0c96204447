"""Stored search documents for the archive search, on PostgreSQL only.

Each searchable text gets a tsvector column that PostgreSQL computes itself
(GENERATED ALWAYS ... STORED), with a GIN index: rows written any way (the
ORM, COPY, SQL) are searchable at once, and ranking reads the stored vector
instead of parsing the text again for every hit. The weights rank a word in
a meeting's title (A) above one in its decisions (B), its agenda (C) and the
text of its minutes (D). A case-review item's notes are left out unless the
organizer keeps them, as the search shows them.

The columns are not in the models' state (makemigrations stays clean, and
SQLite, used in development, searches without them): meetings/search.py
reads them by name. They replace the expression index of 0004. Changing the
type of a column they read (e.g. a longer title) needs them dropped first:
PostgreSQL refuses to alter a column a generated column uses."""

from django.db import migrations

ENGLISH = "'english'::regconfig"


def _vector(column: str, weight: str) -> str:
    # The forms cap minutes at 200,000 characters; older rows may hold more.
    return f"setweight(to_tsvector({ENGLISH}, left(coalesce({column}, ''), 200000)), '{weight}')"


# (table, column, expression, GIN index)
DOCUMENTS = [
    ("meetings_meeting", "search_document", _vector("title", "A"), "meeting_document_idx"),
    (
        "meetings_minutes",
        "search_document",
        f"{_vector('decisions', 'B')} || {_vector('body', 'D')}",
        "minutes_document_idx",
    ),
    ("meetings_minutes", "restricted_document", _vector("restricted_body", "D"), "minutes_restricted_document_idx"),
    (
        "meetings_agendaitem",
        "search_document",
        f"{_vector('title', 'C')} || "
        f"CASE WHEN is_case_review AND NOT notes_allowed THEN ''::tsvector ELSE {_vector('notes', 'C')} END",
        "agenda_document_idx",
    ),
]

OLD_INDEX = (
    "CREATE INDEX minutes_search_idx ON meetings_minutes USING gin "
    f"(to_tsvector({ENGLISH}, COALESCE(body, '') || ' ' || COALESCE(decisions, '')))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS minutes_search_idx")
    for table, column, expression, index in DOCUMENTS:
        # Kept in the row (MAIN), where ranking reads it without a second
        # lookup in the TOAST table; the text moves out of the row instead.
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({expression}) STORED, "
            f"ALTER COLUMN {column} SET STORAGE MAIN"
        )
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin ({column})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _expression, _index in DOCUMENTS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    schema_editor.execute(OLD_INDEX)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_text_limits")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
