"""Small helpers the tests share."""

from django.db import connection


def downloaded(response) -> bytes:
    """A response's body, streamed (an export) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def downloaded_text(response) -> str:
    """A CSV download as text, without the byte-order mark written for Excel."""
    return downloaded(response).decode("utf-8-sig")


def plans(*queries: str) -> str:
    """PostgreSQL's plan of each query, sequential scans priced out of reach:
    on a test's few thousand rows PostgreSQL may well read a whole table;
    what matters is that an index can serve each query, as it must at
    statewide scale."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in queries:
            cursor.execute("EXPLAIN " + sql)
            found.append("\n".join(row[0] for row in cursor.fetchall()))
        cursor.execute("SET LOCAL enable_seqscan = on")
    return "\n\n".join(found)
