import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from .models import ApiToken

STATES = (("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked"))


class TokenFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(
        label="Person",
        method="filter_person",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search", "placeholder": "Name or e-mail"}),
    )
    scope = django_filters.ChoiceFilter(
        choices=ApiToken.Scope.choices, empty_label="Any scope", widget=forms.Select(attrs={"class": "form-select"})
    )
    state = django_filters.ChoiceFilter(
        choices=STATES, method="in_state", empty_label="Any state", widget=forms.Select(attrs={"class": "form-select"})
    )

    class Meta:
        model = ApiToken
        fields = ["person", "scope", "state"]

    def filter_person(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(user__full_name__icontains=value) | Q(user__email__icontains=value))
            if value
            else queryset
        )

    def in_state(self, queryset, name, value):
        now = timezone.now()
        if value == "active":
            return queryset.usable(now)
        if value == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset.filter(revoked_at__isnull=False)
