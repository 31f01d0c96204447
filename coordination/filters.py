import django_filters
from django import forms

from .models import Notification


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
