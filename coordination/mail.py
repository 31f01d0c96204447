"""E-mails as templates: `emails/<name>.subject.txt`, `.txt` and `.html`,
rendered by one helper so every message has a text and an HTML part."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build_message(name: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}.subject.txt", context, using="text").split())
    text = render_to_string(f"emails/{name}.txt", context, using="text")
    html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    return message


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
