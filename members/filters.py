import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from .models import AgencyRole, Membership, ResponseArea, Sector

SELECT = {"class": "form-select"}


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    sector = django_filters.ChoiceFilter(
        field_name="agency__sector", choices=Sector.choices, empty_label="Any sector", widget=forms.Select(attrs=SELECT)
    )
    response_area = django_filters.ModelChoiceFilter(
        label="Response area",
        queryset=ResponseArea.objects.none(),
        method="in_area",
        empty_label="Any area",
        widget=forms.Select(attrs=SELECT),
    )
    status = django_filters.ChoiceFilter(
        choices=Membership.Status.choices, empty_label="Any status", widget=forms.Select(attrs=SELECT)
    )
    county = django_filters.CharFilter(label="County", field_name="agency__counties_served", lookup_expr="icontains")

    class Meta:
        model = Membership
        fields = ["q", "sector", "response_area", "status", "county"]

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["response_area"].queryset = coalition.response_areas.filter(is_active=True)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(agency__name__icontains=value)
            | Q(agency__description__icontains=value)
            | Q(primary_representative__full_name__icontains=value)
        )

    def in_area(self, queryset, name, area):
        roles = AgencyRole.objects.filter(agency=OuterRef("agency"), response_area=area)
        return queryset.filter(Exists(roles))
