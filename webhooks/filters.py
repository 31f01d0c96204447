import django_filters
from django import forms

from coordination.events import NAMES

from .models import WebhookDelivery, WebhookEndpoint

EVENT_NAMES = [(name, name) for name in [*NAMES, "webhook.test"]]


class EndpointFilter(django_filters.FilterSet):
    url = django_filters.CharFilter(
        label="Address",
        method="filter_address",
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search", "placeholder": "Address or name"}),
    )
    is_active = django_filters.BooleanFilter(
        label="State",
        widget=forms.Select(
            attrs={"class": "form-select"}, choices=[("", "Any state"), ("true", "Active"), ("false", "Disabled")]
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "is_active"]

    def filter_address(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(url__icontains=value) | queryset.filter(description__icontains=value)


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=WebhookDelivery.Status.choices,
        empty_label="Any status",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    event = django_filters.ChoiceFilter(
        label="Event",
        field_name="event__name",
        choices=EVENT_NAMES,
        empty_label="Any event",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event"]
