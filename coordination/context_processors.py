from .models import Coalition


def navigation(request) -> dict:
    """The coalitions the user may switch between and the one they are in.
    With a single coalition there is no picker to show."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    coalitions = list(Coalition.objects.visible_to(user).only("id", "name", "slug"))
    current_id = request.session.get("coalition_id")
    current = next((c for c in coalitions if c.pk == current_id), coalitions[0] if coalitions else None)
    return {"nav_coalitions": coalitions, "current_coalition": current}
