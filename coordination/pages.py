"""What every page needs: loading a coalition or committee with access
checked, the one way a view checks a permission, and the context a higher app
adds to a lower app's page (the meeting page lists the action items that came
out of it: tasks registers that from its apps.py, so meetings never imports
tasks)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .models import Coalition, Committee
from .text import query_without_controls

# --- Checking a permission ----------------------------------------------------
#
# Views never call has_perm to refuse, nor raise PermissionDenied themselves
# (tests/test_views_check_permissions.py keeps it so): they load their object
# with a loader that answers 404 when the user may not even see it, then check
# a rules permission with one of these two, which answer 403 with a message
# saying who may do it (templates/403.html shows it).


def require(request: HttpRequest, permission: str | None, obj: Any, message: str) -> None:
    """Refuse (403, with `message`) unless the user has `permission` on `obj`.
    For checks known only mid-view: which of two permissions applies, or one
    that depends on the POST. A permission of None refuses everyone (a POST
    that names no action the page knows)."""
    if permission is None or not request.user.has_perm(permission, obj):
        raise PermissionDenied(message)


View = Callable[..., HttpResponse]


def permission_required(
    permission: str, load: Callable[..., Any], *url_kwargs: str, message: str
) -> Callable[[View], View]:
    """Decorate a function view: log in first, then `load(request, *values of
    url_kwargs)` (a loader that answers 404 when the object is hidden, so a
    hidden object is never a 403), then `require` the permission on it, then
    call the view with the object in place of those URL keywords:

        changes_meeting = permission_required(
            "meetings.change_meeting", get_meeting_for_user, "pk", message="Only ... can change meetings."
        )

        @changes_meeting
        def agenda(request, meeting, item_pk=None): ...

    A view that answers only POST stacks @login_required and @require_POST
    above it, so that a visitor is still sent to log in before being told the
    method is wrong, and the method is checked before the object is loaded."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            obj = load(request, *(kwargs.pop(name) for name in url_kwargs))
            require(request, permission, obj, message)
            return view(request, obj, *args, **kwargs)

        return login_required(checked)

    return decorator


def post_data(request: HttpRequest):
    """A form's data: the POST without control characters (pasted from PDF or
    Word, they break exports and PostgreSQL refuses NUL), or None on a GET (an
    unbound form shows no errors)."""
    return query_without_controls(request.POST) if request.method == "POST" else None


# --- Loading with access checked ------------------------------------------------


def get_coalition_for_user(request: HttpRequest, slug: str) -> Coalition:
    """The coalition, or 404 when the user has no standing in it."""
    coalition = get_object_or_404(Coalition.objects.visible_to(request.user), slug=slug)
    remember_coalition(request, coalition.pk)
    return coalition


def remember_coalition(request: HttpRequest, coalition_id: int) -> None:
    """The coalition the user last worked in (the menu's). Written only when it
    changes: a session written on every page costs three queries a page."""
    if request.session.get("coalition_id") != coalition_id:
        request.session["coalition_id"] = coalition_id


# The pages of a coalition that only its organizers use: view(request, coalition, ...).
organizers_only = permission_required(
    "coordination.manage_coalition",
    get_coalition_for_user,
    "coalition_slug",
    message="Only the coalition's organizers can do this.",
)


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
