import markdown as markdown_lib
import nh3
from django import forms, template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_choice_list(field) -> bool:
    return isinstance(field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))


@register.filter
def choices_styled(field):
    """The field, its radio or checkbox inputs given Bootstrap's class. Forms
    are built per request, so setting the class here touches no other form."""
    field.field.widget.attrs.setdefault("class", "form-check-input")
    return field


@register.simple_tag
def bootstrap_widget(field):
    """The field's widget with Bootstrap classes and what a screen reader needs:
    whether it is invalid and which texts describe it."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


# What Markdown may produce; everything else (script, style, event attributes,
# javascript: links) is removed by nh3.
MARKDOWN_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


# Markdown shows inside a page with its own <h1> and <h2> sections: its "#"
# is the page's <h3>, "##" <h4>, down to <h6>.
MARKDOWN_TOP_HEADING = 3


@register.filter
def markdown(text: str) -> str:
    """Markdown rendered to HTML that is safe to show, its headings below the page's own."""
    html = markdown_lib.markdown(
        text or "",
        extensions=["tables", "sane_lists", "toc"],
        # Only its heading levels: no [TOC] (its links would lead to ids nh3 removes).
        extension_configs={"toc": {"baselevel": MARKDOWN_TOP_HEADING, "marker": ""}},
    )
    clean = nh3.clean(
        html,
        tags=MARKDOWN_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def _translated(obj, field: str) -> str:
    """The field's translation into the page's language, or "" (English, or none written)."""
    language = (get_language() or "").split("-")[0]
    return getattr(obj, f"{field}_{language}", "") if language and language != "en" else ""


@register.filter
def falls_back(obj, field: str) -> bool:
    """Whether a page in another language shows this field in English (to mark it lang="en")."""
    language = (get_language() or "").split("-")[0]
    return bool(language and language != "en" and not _translated(obj, field))


@register.filter
def localized(obj, field: str) -> str:
    """What organizers or agencies wrote, in the page's language: the field's
    translation (`<field>_<language>`, e.g. title_es) when there is one and it
    is filled in, else the field as written (in English)."""
    return _translated(obj, field) or getattr(obj, field)
