from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def in_language(path: str, language: str) -> str:
    """The same public page in another language: Django's translate_url, or,
    for an address it cannot resolve (a page not found), the prefix swapped."""
    translated = translate_url(path, language)
    current = translation.get_language_from_path(path)
    if translated == path and current and current != language:
        translated = f"/{language}/" + path.removeprefix(f"/{current}/")
    return translated


def public(request) -> dict:
    """What the public frame needs on every public page: the Quick exit
    address, and the same page in each language (a link, not a cookie)."""
    current = translation.get_language()
    # A public address (one with a language): it links to itself in the others,
    # and its error pages wear the public frame.
    public = bool(translation.get_language_from_path(request.path_info))
    path = request.get_full_path()
    return {
        "on_public_page": public,
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "other_languages": [
            {"code": code, "name": name, "url": in_language(path, code)}
            for code, name in settings.LANGUAGES
            if public and code != current
        ],
    }
