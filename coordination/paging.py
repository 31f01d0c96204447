"""Pages of a list that shares its page with other things: a meeting's agenda
and its invitations, a report's table by agency, the coverage matrix's
agencies. Each list turns its own pages with a parameter of its own
(?agenda=2), keeps the rest of the address, and says how many rows it has;
templates/_pager.html draws its previous and next links. (A page that is one
table uses coordination.tables and django-tables2's pagination instead.)"""

from dataclasses import dataclass, field
from math import ceil

from django.db.models import Count, Window
from django.http import HttpRequest, QueryDict

from .tables import MAX_PER_PAGE, PER_PAGE
from .text import whole_number


@dataclass
class Slice:
    """One page of a list: its rows, how many there are in all, and the
    address parameter that turns its pages. `totals` holds aggregates over the
    whole list that were read with the rows."""

    rows: list
    count: int
    number: int
    per_page: int
    param: str
    query: QueryDict = field(default_factory=QueryDict)
    totals: dict = field(default_factory=dict)
    anchor: str = ""  # the id on the page to scroll back to

    @property
    def num_pages(self) -> int:
        return max(1, ceil(self.count / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.count else 0

    @property
    def end_index(self) -> int:
        return min(self.number * self.per_page, self.count)

    def url(self, number: int) -> str:
        """This address with the list at page `number` (the others kept)."""
        query = self.query.copy()
        query[self.param] = str(number)
        return "?" + query.urlencode() + (f"#{self.anchor}" if self.anchor else "")

    @property
    def previous_url(self) -> str:
        return self.url(self.number - 1)

    @property
    def next_url(self) -> str:
        return self.url(self.number + 1)

    @property
    def last_url(self) -> str:
        return self.url(self.num_pages)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def page_number(request: HttpRequest, param: str) -> int:
    """The page the address asks for: 1 for none or nonsense."""
    number = whole_number(request.GET.get(param), below=10**9)
    return number if number else 1


def per_page(request: HttpRequest, default: int = PER_PAGE) -> int:
    """Rows a page, as the address asks (?per_page=), between 1 and MAX_PER_PAGE."""
    number = whole_number(request.GET.get("per_page"), below=10**6)
    return default if number is None else min(max(number, 1), MAX_PER_PAGE)


def slice_of(queryset, request: HttpRequest, param: str, size: int = PER_PAGE, **totals) -> Slice:
    """The page of `queryset` that the address asks for (?<param>=N: 1 when it
    asks for none or nonsense, the last when it asks beyond), with the number
    of rows and the `totals` (aggregates over the whole list, such as
    Count("pk", filter=Q(...))), read in the same query as the rows as window
    aggregates: one query, whatever the length of the list. The queryset's
    order must be total (end with the primary key)."""
    number = page_number(request, param)
    windows = {"slice_count": Window(Count("pk"))} | {
        f"slice_{name}": Window(aggregate) for name, aggregate in totals.items()
    }
    annotated = queryset.annotate(**windows)
    rows = list(annotated[(number - 1) * size : number * size])
    if not rows and number > 1:  # beyond the last page: show the last
        number = max(1, ceil(queryset.count() / size))
        rows = list(annotated[(number - 1) * size : number * size])
    first = rows[0] if rows else None
    return Slice(
        rows=rows,
        count=first.slice_count if first else 0,
        number=number,
        per_page=size,
        param=param,
        query=request.GET,
        totals={name: (getattr(first, f"slice_{name}") if first else None) for name in totals},
    )


def slice_list(rows: list, request: HttpRequest, param: str, size: int = PER_PAGE, anchor: str = "") -> Slice:
    """The same for rows already in hand (a report's rows, counted in the
    database by aggregate queries)."""
    num_pages = max(1, ceil(len(rows) / size))
    number = min(page_number(request, param), num_pages)
    return Slice(
        rows=rows[(number - 1) * size : number * size],
        count=len(rows),
        number=number,
        per_page=size,
        param=param,
        query=request.GET,
        anchor=anchor,
    )
