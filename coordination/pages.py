"""What every page needs: loading a coalition or committee with access
checked, and the context a higher app adds to a lower app's page (the meeting
page lists the action items that came out of it: tasks registers that from its
apps.py, so meetings never imports tasks)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from .models import Coalition, Committee


def get_coalition_for_user(request: HttpRequest, slug: str) -> Coalition:
    """The coalition, or 404 when the user has no standing in it."""
    coalition = get_object_or_404(Coalition.objects.visible_to(request.user), slug=slug)
    request.session["coalition_id"] = coalition.pk
    return coalition


def get_organized_coalition(request: HttpRequest, slug: str) -> Coalition:
    coalition = get_coalition_for_user(request, slug)
    if not request.user.has_perm("coordination.manage_coalition", coalition):
        raise PermissionDenied("Only the coalition's organizers can do this.")
    return coalition


def get_committee_for_user(request: HttpRequest, coalition_slug: str, slug: str) -> Committee:
    """The committee, or 404 when it is hidden from the user (a restricted
    committee does not reveal that it exists)."""
    return get_object_or_404(
        Committee.objects.visible_to(request.user).select_related("coalition"),
        coalition__slug=coalition_slug,
        slug=slug,
    )


# page name -> functions (request, the page's object) -> extra template context
CONTEXT_PROVIDERS: dict[str, list[Callable[[HttpRequest, Any], dict]]] = {}


def add_context_provider(page: str, provider: Callable[[HttpRequest, Any], dict]) -> None:
    providers = CONTEXT_PROVIDERS.setdefault(page, [])
    if provider not in providers:
        providers.append(provider)


def extra_context(page: str, request: HttpRequest, obj: Any) -> dict:
    context: dict = {}
    for provider in CONTEXT_PROVIDERS.get(page, []):
        context.update(provider(request, obj))
    return context
