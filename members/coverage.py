"""The coverage matrix: which member agencies cover which parts of the
response, where nobody does (gaps), and where only one does (single points
of failure). Three queries, whatever the size of the coalition."""

from dataclasses import dataclass, field

from coordination.models import Coalition

from .models import Agency, AgencyRole, Membership, ResponseArea


@dataclass
class AreaRow:
    area: ResponseArea
    cells: list[AgencyRole | None]

    @property
    def covering(self) -> int:
        return sum(1 for role in self.cells if role is not None and role.covers)

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


def coverage_for(coalition: Coalition) -> Coverage:
    agencies = list(Agency.objects.of_coalition(coalition, Membership.Status.ACTIVE))
    areas = list(coalition.response_areas.filter(is_active=True))
    roles = AgencyRole.objects.filter(response_area__in=areas, agency__in=agencies).select_related(
        "agency", "response_area", "confirmed_by"
    )
    by_cell = {(role.response_area_id, role.agency_id): role for role in roles}
    rows = [AreaRow(area, [by_cell.get((area.pk, agency.pk)) for agency in agencies]) for area in areas]
    stale = sorted(
        (role for role in by_cell.values() if role.is_stale), key=lambda r: (r.agency.name, r.response_area.position)
    )
    return Coverage(agencies=agencies, rows=rows, stale=stale)
