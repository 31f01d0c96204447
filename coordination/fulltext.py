"""Full-text search on PostgreSQL through stored search documents.

The searchable tables each carry a tsvector column that PostgreSQL computes
from the row's text (GENERATED ALWAYS ... STORED) and a GIN index on it, both
added by the apps' migrations on PostgreSQL only (meetings 0007, tasks 0003).
The columns are not model fields: SQLite, used in development, has none and
searches with a plain match. `Document("search_document")` reads such a
column of a queryset's own table in a filter (`@@`) or a rank."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorExact, SearchVectorField
from django.db import connection
from django.db.models import Expression

CONFIG = "english"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def query(text: str) -> SearchQuery:
    """What a person types, as web search engines read it: words (stemmed,
    so "hotels" finds "hotel"), "quoted phrases", or, -excluded."""
    return SearchQuery(text, config=CONFIG, search_type="websearch")


class Document(Expression):
    """A stored tsvector column of the queryset's own table, by name."""

    output_field = SearchVectorField()

    def __init__(self, column: str):
        super().__init__()
        self.column = column
        self.alias = None

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.column!r})"

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.alias = query.get_initial_alias()
        return resolved

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):
        return [self]

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name(self.alias)}.{connection.ops.quote_name(self.column)}", []


def matches(column: str, search: SearchQuery) -> SearchVectorExact:
    """The rows whose stored document matches (`@@`), as a filter: the GIN
    index on the column serves it."""
    return SearchVectorExact(Document(column), search)


def rank(column: str, search: SearchQuery) -> SearchRank:
    """ts_rank of the stored document: the more matches the higher, words
    weighted A to D as the migrations set them."""
    return SearchRank(Document(column), search)
