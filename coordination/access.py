"""Who may see and change what: a user's standing, the one thing every rule reads.

A user's *standing* is read once per request (three queries) and kept on the
user object: the coalitions they organize, lead, or belong to through their
agency, and the committees they sit on. Queryset filters (`visible_to`) and the
django-rules predicates (each app's `rules.py`) both read it, so a list and a
detail page can never disagree. The base reads coalition roles; the members
app adds the person, their agency and committee seats through
`add_standing_source`, from its own apps.py.

- Organizers manage everything in their coalition, restricted committees included.
- Leads read everything in their coalition except restricted committees they
  are not on.
- Agency members (a login linked to a person of an agency with an active
  membership) read their coalition's open committees and the committees they
  sit on; they change only their own agency.
- Reports (aggregate counts) are for organizers and leads; activities are
  recorded by them or by the presenting agency's people.
- Nobody sees a coalition they have no standing in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import Q


@dataclass(frozen=True)
class Standing:
    organizer_of: frozenset[int] = frozenset()
    lead_of: frozenset[int] = frozenset()
    member_of: frozenset[int] = frozenset()
    agency_id: int | None = None
    person_id: int | None = None
    committees: frozenset[int] = frozenset()
    committees_led: frozenset[int] = frozenset()
    # (name, slug) of each coalition above, read with the same queries: the
    # menu's coalition picker needs no query of its own.
    labels: tuple[tuple[int, str, str], ...] = ()

    @property
    def coalitions(self) -> frozenset[int]:
        return self.organizer_of | self.lead_of | self.member_of

    @property
    def staff_of(self) -> frozenset[int]:
        """Coalitions where the user reads everything but restricted committees."""
        return self.organizer_of | self.lead_of


NOBODY = Standing()


def standing(user) -> Standing:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_standing", None)
    if cached is None:
        cached = user._standing = _load_standing(user)
    return cached


def forget_standing(user) -> None:
    """Call after changing a user's roles within the same request."""
    user.__dict__.pop("_standing", None)


# Each returns some of Standing's fields for a user; apps add theirs from apps.py.
STANDING_SOURCES: list[Callable[[Any], dict[str, Any]]] = []


def add_standing_source(source: Callable[[Any], dict[str, Any]]) -> None:
    if source not in STANDING_SOURCES:
        STANDING_SOURCES.append(source)


def _load_standing(user) -> Standing:
    """Each source gives some fields; the labels of coalitions ({id: (name,
    slug)}) come from several and are merged."""
    fields: dict[str, Any] = {}
    labels: dict[int, tuple[str, str]] = {}
    for source in STANDING_SOURCES:
        found = source(user)
        labels.update(found.pop("labels", {}))
        fields.update(found)
    fields["labels"] = tuple(sorted(((pk, *label) for pk, label in labels.items()), key=lambda c: (c[1], c[0])))
    return Standing(**{name: frozenset(value) if isinstance(value, set) else value for name, value in fields.items()})


# --- Filters and predicates on coalitions ----------------------------------


def coalition_filter(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}id__in": standing(user).coalitions})


@rules.predicate
def is_organizer_of(user, coalition) -> bool:
    return coalition is not None and coalition.pk in standing(user).organizer_of


@rules.predicate
def is_lead_of(user, coalition) -> bool:
    return coalition is not None and coalition.pk in standing(user).lead_of


@rules.predicate
def has_standing_in(user, coalition) -> bool:
    return coalition is not None and coalition.pk in standing(user).coalitions


@rules.predicate
def is_staff_of(user, coalition) -> bool:
    return coalition is not None and coalition.pk in standing(user).staff_of


@rules.predicate
def organizes_its_coalition(user, obj) -> bool:
    """For anything that belongs to one coalition (a committee, a membership, a meeting)."""
    return obj is not None and obj.coalition_id in standing(user).organizer_of
