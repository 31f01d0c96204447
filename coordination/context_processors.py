from . import access
from .models import Coalition


def navigation(request) -> dict:
    """The coalitions the user may switch between and the one they are in.
    With a single coalition there is no picker to show."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Included templates that render on their own (django-tables2) run the
    # context processors again: compute once per request.
    cached = getattr(request, "_navigation", None)
    if cached is None:
        # from the user's standing, read already: no query of its own
        coalitions = [Coalition(id=pk, name=name, slug=slug) for pk, name, slug in access.standing(user).labels]
        current_id = request.session.get("coalition_id")
        current = next((c for c in coalitions if c.pk == current_id), coalitions[0] if coalitions else None)
        cached = request._navigation = {"nav_coalitions": coalitions, "current_coalition": current}
    return cached
