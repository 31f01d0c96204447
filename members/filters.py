import django_filters
from django import forms
from django.db.models import Q

from .models import Membership, Sector


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    sector = django_filters.ChoiceFilter(
        field_name="agency__sector",
        choices=Sector.choices,
        empty_label="Any sector",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = django_filters.ChoiceFilter(
        choices=Membership.Status.choices, empty_label="Any status", widget=forms.Select(attrs={"class": "form-select"})
    )

    class Meta:
        model = Membership
        fields = ["q", "sector", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(agency__name__icontains=value)
            | Q(agency__description__icontains=value)
            | Q(primary_representative__full_name__icontains=value)
        )
