import django_filters
from django import forms

from . import stored_text
from .models import Notification, StoredFinding


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
