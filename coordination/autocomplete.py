"""Searchable selects for choices that can run to thousands (a coalition's
agencies, people, meetings): the page holds only the chosen option, and Tom
Select (static/vendor/tom-select, driven by static/js/autocomplete.js) asks
the server for matches as the user types.

Each kind of choice is registered once, from the app that owns it (apps.py),
as a function giving the queryset a user may choose from in a coalition. A
form or filter field takes its queryset from the same function (`use`), and
the search endpoint searches within it, so what the list offers and what the
form accepts are one thing and cannot drift."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from .text import whole_number

LIMIT = 20
QUERY_MAX = 100


@dataclass(frozen=True)
class Kind:
    choices: Callable  # (user, coalition) -> QuerySet
    search: tuple[str, ...]  # the fields a typed word is looked for in
    label: Callable = str  # (object) -> the option's text


KINDS: dict[str, Kind] = {}


def register(name: str, choices: Callable, search: tuple[str, ...], label: Callable = str) -> None:
    KINDS[name] = Kind(choices, search, label)


class AutocompleteSelect(forms.Select):
    """A select holding its chosen option only (and the empty one): rendering
    thousands of options is what made the big pages big."""

    def __init__(self, url: str, label: Callable | None = None, attrs=None):
        super().__init__(attrs={"class": "form-select", "data-autocomplete-url": url, **(attrs or {})})
        self.label = label

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices
        field = getattr(iterator, "field", None)
        if field is None:
            return super().optgroups(name, value, attrs)
        keys = [key for key in map(whole_number, value) if key is not None]
        chosen = list(field.queryset.filter(pk__in=keys)) if keys else []
        self.choices = [("", field.empty_label)] if field.empty_label is not None else []
        self.choices += [(obj.pk, (self.label or field.label_from_instance)(obj)) for obj in chosen]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = iterator


class AutocompleteSelectMultiple(AutocompleteSelect, forms.SelectMultiple):
    """The same for a field of several choices (a committee's members): the
    page holds the chosen ones only."""


class AutocompleteTextInput(forms.TextInput):
    """A text field that suggests names as one types (an agency joining by its
    exact name): what is typed is posted, whether suggested or not."""

    def __init__(self, url: str, attrs=None):
        super().__init__(attrs={"data-autocomplete-url": url, "data-autocomplete-text": "", **(attrs or {})})


def use(field, kind: str, user, coalition) -> None:
    """Make a ModelChoiceField or ModelMultipleChoiceField (or a filter's field)
    an autocomplete of `kind`."""
    entry = KINDS[kind]
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    field.widget = widget_for(kind, coalition, multiple=multiple)
    field.queryset = entry.choices(user, coalition)  # after the widget: it gives the widget its choices
    field.label_from_instance = entry.label


def widget_for(kind: str, coalition, multiple: bool = False) -> AutocompleteSelect:
    widget = AutocompleteSelectMultiple if multiple else AutocompleteSelect
    return widget(reverse("autocomplete", args=[coalition.slug, kind]), label=KINDS[kind].label)


def url_for(kind: str, coalition) -> str:
    return reverse("autocomplete", args=[coalition.slug, kind])


def matches(kind: str, user, coalition, text: str) -> list[dict]:
    entry = KINDS[kind]
    found: QuerySet = entry.choices(user, coalition)
    for word in text.split()[:5]:
        match = Q()
        for name in entry.search:
            match |= Q(**{f"{name}__icontains": word})
        found = found.filter(match)
    return [{"id": obj.pk, "text": entry.label(obj)} for obj in found[:LIMIT]]


def respond(request: HttpRequest, coalition, kind: str) -> JsonResponse:
    text = request.GET.get("q", "")[:QUERY_MAX]
    return JsonResponse({"results": matches(kind, request.user, coalition, text)})
