"""The coverage matrix: which member agencies cover which parts of the
response, where nobody does (gaps), and where only one does (single points
of failure). Each area's coverage is counted in the database over every active
member agency; the matrix shows a page of agencies at a time (a statewide
coalition has thousands), so the page costs the same few queries and the same
size whatever the size of the coalition."""

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from coordination.models import Coalition

from .models import STALE_AFTER, Agency, AgencyRole, Membership, ResponseArea

# The matrix's columns a page: agencies by name (?per_page= asks for up to MAX_AGENCIES).
AGENCIES_PER_PAGE = 25
MAX_AGENCIES = 50
# Stale roles listed a page (?stale=2 for the next).
STALE_PER_PAGE = 20


@dataclass
class AreaRow:
    area: ResponseArea
    cells: list[AgencyRole | None]
    covering: int  # active member agencies whose role covers the area: all of them, not only this page's
    only: str = ""  # the one agency, when only one covers it

    @property
    def status(self) -> str:
        return {0: "gap", 1: "single"}.get(self.covering, "covered")


@dataclass
class Coverage:
    agencies: list[Agency]
    rows: list[AreaRow]
    stale: list[AgencyRole] = field(default_factory=list)

    @property
    def gaps(self) -> list[AreaRow]:
        return [row for row in self.rows if row.status == "gap"]

    @property
    def single_points(self) -> list[AreaRow]:
        return [row for row in self.rows if row.status == "single"]


def active_members(coalition: Coalition):
    """The coalition's active member agencies, by name (the primary key breaks ties)."""
    return Agency.objects.of_coalition(coalition, Membership.Status.ACTIVE).order_by("name", "pk")


def stale_roles(coalition: Coalition):
    """Roles of active members in active areas not confirmed for six months, by agency and area."""
    return (
        AgencyRole.objects.filter(
            agency__in=active_members(coalition).order_by().values("pk"),
            response_area__coalition=coalition,
            response_area__is_active=True,
        )
        .filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=timezone.now() - STALE_AFTER))
        .select_related("agency", "response_area")
        .order_by("agency__name", "response_area__position", "pk")
    )


def areas_with_coverage(coalition: Coalition):
    """The active areas, each with how many active member agencies cover it
    and the first of them by name (the one, where only one does): one query."""
    covering = (
        AgencyRole.objects.filter(
            response_area=OuterRef("pk"), agency__in=active_members(coalition).order_by().values("pk")
        )
        .exclude(capacity=AgencyRole.Capacity.PAUSED)
        .order_by()
    )
    return coalition.response_areas.filter(is_active=True).annotate(
        covering=Coalesce(
            Subquery(covering.values("response_area").annotate(n=Count("pk")).values("n")[:1]),
            0,
        ),
        first_covering=Subquery(covering.order_by("agency__name").values("agency__name")[:1]),
    )


def coverage_for(coalition: Coalition, agencies=None, stale=None) -> Coverage:
    """The matrix for `agencies` (a page of active_members; all of them when
    None), with every area's coverage counted over all active members, and
    `stale` (a page of stale_roles; all of them when None)."""
    areas = list(areas_with_coverage(coalition))
    agencies = list(active_members(coalition) if agencies is None else agencies)
    roles = AgencyRole.objects.filter(response_area__in=[a.pk for a in areas], agency__in=[a.pk for a in agencies])
    by_cell = {(role.response_area_id, role.agency_id): role for role in roles}
    rows = [
        AreaRow(
            area,
            [by_cell.get((area.pk, agency.pk)) for agency in agencies],
            covering=area.covering,
            only=area.first_covering if area.covering == 1 else "",
        )
        for area in areas
    ]
    return Coverage(agencies=agencies, rows=rows, stale=list(stale_roles(coalition) if stale is None else stale))
