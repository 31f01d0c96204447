"""Rows into a table as fast as the database takes them: COPY on PostgreSQL,
executemany elsewhere. The caller names the columns it fills; every other
column gets its model field's default, so a new field with a default needs no
change here."""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone


def _default(field: models.Field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_prep_value(field.get_default())


def load(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert the rows (tuples in the order of `columns`, which are column
    names) and return how many were written."""
    rest = [f for f in model._meta.concrete_fields if f.column not in columns and not f.primary_key]
    names = [*columns, *(f.column for f in rest)]
    tail = tuple(_default(f) for f in rest)
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    count = 0
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *tail))
                count += 1
        return count
    placeholders = ", ".join(["%s"] * len(names))
    rows = (tuple(_sqlite(value) for value in row) for row in rows)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append((*row, *map(_sqlite, tail)))
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sqlite(value):
    """SQLite stores dates and times as text, UTC without an offset, as Django writes them."""
    if isinstance(value, datetime):
        return (timezone.make_naive(value, UTC) if timezone.is_aware(value) else value).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """After rows were written with their own ids, new rows must not collide."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_classes)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
