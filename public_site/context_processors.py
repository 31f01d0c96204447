from django.conf import settings


def public(request) -> dict:
    """What the public frame needs on every public page."""
    return {"quick_exit_url": settings.QUICK_EXIT_URL}
