import django_filters
from django import forms
from django.db.models import Q

from coordination import autocomplete
from coordination.filters import date_bound

from .models import Activity


class ActivityFilter(django_filters.FilterSet):
    GROUPS = (("training", "Professional trainings"), ("community", "Community events"))

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    group = django_filters.ChoiceFilter(
        label="Counted as",
        choices=GROUPS,
        method="in_group",
        empty_label="Trainings and events",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = django_filters.ChoiceFilter(
        choices=Activity.Kind.choices, empty_label="Any kind", widget=forms.Select(attrs={"class": "form-select"})
    )
    audience = django_filters.ChoiceFilter(
        choices=Activity.Audience.choices,
        empty_label="Any audience",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    presenting_agency = django_filters.ModelChoiceFilter(
        label="Presented by", queryset=None, empty_label="Any presenter"
    )
    held_after = date_bound("held_on", "gte", "From")
    held_before = date_bound("held_on", "lte", "Until")

    class Meta:
        model = Activity
        fields = ["q", "group", "kind", "audience", "presenting_agency"]

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        # Every agency that was ever a member may have presented: thousands
        # statewide, so a searchable select of the registered kind.
        self.filters["presenting_agency"].queryset = autocomplete.KINDS["agency"].choices(None, coalition)
        self.filters["presenting_agency"].extra["widget"] = autocomplete.widget_for("agency", coalition)

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value))

    def in_group(self, queryset, name, value):
        return queryset.filter(kind__in=Activity.TRAINING_KINDS if value == "training" else Activity.COMMUNITY_KINDS)
