"""A GIN index for full-text search of minutes, on PostgreSQL only (SQLite,
used in development, searches without it)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("body", "decisions", config="english"), name="minutes_search_idx")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("meetings", "Minutes"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("meetings", "Minutes"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_meeting_series")]

    operations = [migrations.RunPython(create, drop)]
