import django_filters
from django import forms
from django.db.models import Q

from . import stored_text
from .models import Notification, SecurityEvent, StoredFinding


def date_bound(field_name: str, lookup_expr: str, label: str) -> django_filters.DateFilter:
    """One end of a list's date range, as a date picker."""
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup_expr,
        label=label,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )


class NotificationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Notification.Kind.choices, empty_label="Any kind", widget=forms.Select(attrs={"class": "form-select"})
    )
    status = django_filters.ChoiceFilter(
        choices=Notification.Status.choices,
        empty_label="Any result",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    email = django_filters.CharFilter(
        label="To", lookup_expr="icontains", widget=forms.TextInput(attrs={"class": "form-control", "type": "search"})
    )

    class Meta:
        model = Notification
        fields = ["kind", "status", "email"]


class StoredFindingFilter(django_filters.FilterSet):
    """The review list shows what is to review unless asked for more."""

    status = django_filters.ChoiceFilter(
        choices=StoredFinding.Status.choices,
        empty_label="Any state",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = django_filters.ChoiceFilter(
        choices=StoredFinding._meta.get_field("kind").choices,
        empty_label="Any kind",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    source = django_filters.ChoiceFilter(
        label="Where",
        choices=lambda: stored_text.source_choices(),
        empty_label="Anywhere",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = StoredFinding
        fields = ["status", "kind", "source"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = StoredFinding.Status.OPEN
        super().__init__(data, *args, **kwargs)


class SecurityEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=SecurityEvent.Kind.choices, empty_label="Anything", widget=forms.Select(attrs={"class": "form-select"})
    )
    person = django_filters.CharFilter(
        label="Person",
        method="filter_person",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search", "placeholder": "Name or e-mail"}),
    )
    since = date_bound("at__date", "gte", "From")
    until = date_bound("at__date", "lte", "Until")

    class Meta:
        model = SecurityEvent
        fields = ["kind", "person", "since", "until"]

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(identifier__icontains=value) | Q(user__full_name__icontains=value) | Q(actor__full_name__icontains=value)
        )
