import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from coordination import autocomplete, fulltext
from coordination.filters import date_bound
from coordination.models import Committee

from .models import ActionItem

SELECT = {"class": "form-select"}


class ActionItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    status = django_filters.MultipleChoiceFilter(
        choices=ActionItem.Status.choices, widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5})
    )
    owner_agency = django_filters.ModelChoiceFilter(label="Agency", queryset=None, empty_label="Any agency")
    committee = django_filters.ModelChoiceFilter(
        queryset=None, empty_label="Any committee", widget=forms.Select(attrs=SELECT)
    )
    response_area = django_filters.ModelChoiceFilter(
        label="Response area", queryset=None, empty_label="Any area", widget=forms.Select(attrs=SELECT)
    )
    assignee = django_filters.ModelChoiceFilter(queryset=None, empty_label="Anyone")
    meeting = django_filters.ModelChoiceFilter(label="From meeting", queryset=None, empty_label="Any meeting")
    due_after = date_bound("due_on", "gte", "Due from")
    due_before = date_bound("due_on", "lte", "Due until")
    overdue = django_filters.BooleanFilter(
        label="Overdue only", method="only_overdue", widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    silent = django_filters.BooleanFilter(
        label="No update for 30 days",
        method="only_silent",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    carried_to = django_filters.NumberFilter(
        label="Open before meeting", method="only_carried_to", widget=forms.HiddenInput
    )

    class Meta:
        model = ActionItem
        fields = ["q", "status", "owner_agency", "committee", "response_area", "assignee", "meeting"]

    def __init__(self, *args, coalition, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.coalition, self.user = coalition, user
        self.carried_meeting = None  # the meeting of ?carried_to=, once filtered
        self.filters["committee"].queryset = Committee.objects.visible_to(user).filter(coalition=coalition)
        self.filters["response_area"].queryset = coalition.response_areas.all()
        # Thousands of agencies, people and meetings: searchable selects, each
        # offering and accepting what its registered kind gives this user.
        for name, kind in (("owner_agency", "agency"), ("assignee", "person-any"), ("meeting", "meeting-with-items")):
            entry = autocomplete.KINDS[kind]
            self.filters[name].queryset = entry.choices(user, coalition)
            self.filters[name].extra["widget"] = autocomplete.widget_for(kind, coalition)

    # Set by search() when it chose the rows' order, which the view keeps.
    ordered_by_search = False
    # A search matching more items than this lists them newest first, unranked.
    RANKED_AT_MOST = 1000

    def search(self, queryset, name, value):
        """Titles and descriptions. On PostgreSQL, full-text search (English
        stemming) through the items' stored search document and its GIN index
        (tasks migration 0003); unless a column is chosen to sort by, the best
        matches first (a word in the title counts most), the newest first
        among equals. Ranking reads every match, so a word found in more than
        RANKED_AT_MOST items (counted no further) lists them newest first, read
        through the (coalition, created_at) index as far as the page goes.
        Elsewhere (SQLite in development) a plain match."""
        if not fulltext.on_postgres():
            return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))
        search = fulltext.query(value)
        found = queryset.filter(fulltext.matches("search_document", search))
        if self.data.get("sort"):
            return found
        self.ordered_by_search = True
        if found.order_by()[: self.RANKED_AT_MOST + 1].count() > self.RANKED_AT_MOST:
            return found.order_by("-created_at")
        return found.order_by(fulltext.rank("search_document", search).desc(), "-created_at")

    def only_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset

    def only_silent(self, queryset, name, value):
        from .services import STALE_AFTER

        return queryset.open().filter(last_update_at__lt=timezone.now() - STALE_AFTER) if value else queryset

    def only_carried_to(self, queryset, name, value):
        """The open items of earlier meetings of the same body (the coalition,
        or the committee) as this meeting: what its page lists first."""
        from meetings.models import Meeting

        if value is None:
            return queryset
        meeting = (
            Meeting.objects.visible_to(self.user).filter(pk=value, coalition=self.coalition).first()
            if 0 < value < 2**63
            else None
        )
        if meeting is None:
            return queryset.none()
        self.carried_meeting = meeting
        return carried_to(queryset, meeting)


def carried_to(items, meeting):
    """Items still open from meetings of the same body held before this one."""
    return (
        items.open()
        .filter(meeting__starts_at__lt=meeting.starts_at, committee_id=meeting.committee_id)
        .exclude(meeting=None)
    )
