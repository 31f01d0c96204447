import django_tables2 as tables

from coordination.tables import Table

from .models import Membership


class MembershipTable(Table):
    agency = tables.Column(linkify=lambda record: record.agency.get_absolute_url(), order_by="agency__name")
    sector = tables.Column(accessor="agency__sector", verbose_name="Sector", order_by="agency__sector")
    status = tables.Column()
    primary_representative = tables.Column(
        verbose_name="Primary representative", order_by="primary_representative__full_name"
    )
    phone = tables.Column(
        accessor="agency__phone", verbose_name="Main phone", orderable=False, attrs={"td": {"class": "text-nowrap"}}
    )
    counties = tables.Column(accessor="agency__counties_served", verbose_name="Counties served", orderable=False)
    joined_on = tables.DateColumn(verbose_name="Joined", format="M Y", attrs={"td": {"class": "text-nowrap"}})
    mou_review_on = tables.DateColumn(
        verbose_name="MOU review", format="M j, Y", attrs={"td": {"class": "text-nowrap"}}
    )

    # its download holds contact details: an old sign-in confirms the password first (coordination/reauth.py)
    contact_details = True

    class Meta:
        model = Membership
        fields = ["agency", "sector", "status", "primary_representative", "phone", "counties", "joined_on"]
        sequence = [*fields, "mou_review_on"]
        order_by = "agency"
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No member agencies match these filters."

    def value_agency(self, record):
        return record.agency.name

    def value_sector(self, record):
        return record.agency.get_sector_display()
