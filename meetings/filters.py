import django_filters
from django import forms
from django.db.models import Q

from coordination.filters import date_bound
from coordination.models import Committee

from .models import Meeting

SELECT = {"class": "form-select"}


class MeetingFilter(django_filters.FilterSet):
    """A coalition's meetings by words, kind, status, committee and dates."""

    q = django_filters.CharFilter(label="Search", method="search")
    kind = django_filters.ChoiceFilter(
        choices=Meeting.Kind.choices, empty_label="Any kind", widget=forms.Select(attrs=SELECT)
    )
    status = django_filters.ChoiceFilter(
        choices=Meeting.Status.choices, empty_label="Any status", widget=forms.Select(attrs=SELECT)
    )
    committee = django_filters.ModelChoiceFilter(
        queryset=None, empty_label="Any committee", widget=forms.Select(attrs=SELECT)
    )
    starts_after = date_bound("starts_at__date", "gte", "From")
    starts_before = date_bound("starts_at__date", "lte", "Until")

    class Meta:
        model = Meeting
        fields = ["q", "kind", "status", "committee"]

    def __init__(self, *args, coalition, user, **kwargs):
        super().__init__(*args, **kwargs)
        # only committees the user may see: a restricted one is refused as one that does not exist
        self.filters["committee"].queryset = Committee.objects.visible_to(user).filter(coalition=coalition)

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value))
