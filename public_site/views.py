"""Pages for the public: no login, only what agencies marked public."""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override

from coordination.backends import client_ip
from coordination.forms import ModelMultipleChoiceField, PrivacyCheckedForm
from coordination.mail import absolute_url
from coordination.models import Coalition
from coordination.pages import organizers_only, post_data
from coordination.paging import slice_of
from reports.models import Activity

from . import services as public
from .models import GuideStep, Inquiry


class ContactForm(PrivacyCheckedForm):
    """A message from the public, read by the privacy guard like every text that comes in."""

    privacy_fields = ("message",)
    privacy_stores = {"message": "public_site.Inquiry.message"}
    log_when_valid = False  # logged once the message is received, not for a refused one
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail address"), help_text=_("So the coalition can answer you."))
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Do not include a victim's name, address, phone number or other identifying details."),
    )
    # A field people never see: software that fills in every field gives itself away.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError(_("This message looks automated and was not sent."))
        return ""


def cached_for_the_public(view):
    """A public page any cache may keep for five minutes, for a visitor; for
    someone logged in (whose session cookie may be refreshed on the way, or
    whose messages may show) never kept by a shared cache."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        else:
            patch_cache_control(response, public=True, max_age=300)
        return response

    return wrapper


FEED_EVENTS = 200  # the feed's upcoming events, soonest first


def front_door(request: HttpRequest) -> HttpResponse:
    """The site's address: members go to their dashboard; a visitor to the
    public pages in the browser's language: the only coalition's, straight
    away, or the list of coalitions."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    only = Coalition.objects.values_list("slug", flat=True)[:2]
    response = redirect("public_coalition", only[0]) if len(only) == 1 else redirect("public_home")
    patch_vary_headers(response, ["Accept-Language"])
    return response


@cached_for_the_public
def public_home(request: HttpRequest) -> HttpResponse:
    """The coalitions' public pages, the national hotline, and a discreet
    way in for members."""
    coalitions = Coalition.objects.order_by("name", "pk").only("name", "slug", "counties")
    return render(request, "public/front_door.html", {"coalitions": slice_of(coalitions, request, "page")})


def _coalition(slug: str) -> Coalition:
    return get_object_or_404(Coalition, slug=slug)


@cached_for_the_public
def coalition_home(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = _coalition(coalition_slug)
    events = Activity.objects.upcoming_public(coalition).select_related("presenting_agency")[:6]
    return render(request, "public/coalition.html", {"coalition": coalition, "events": events})


@cached_for_the_public
def report_guide(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = _coalition(coalition_slug)
    return render(request, "public/guide.html", {"coalition": coalition, "steps": public.guide(coalition)})


@xframe_options_exempt
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["*"]})
@cached_for_the_public
def guide_embed(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """The guide alone, for member agencies to frame in their own sites: the
    one page any site may frame (every other page refuses framing)."""
    coalition = _coalition(coalition_slug)
    return render(request, "public/guide_embed.html", {"coalition": coalition, "steps": public.guide(coalition)})


@cached_for_the_public
def events_feed(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """The coalition's upcoming public events as an iCalendar feed, for
    calendar programs and member agencies' sites."""
    coalition = _coalition(coalition_slug)
    events = Activity.objects.upcoming_public(coalition).select_related("presenting_agency")[:FEED_EVENTS]
    response = HttpResponse(public.events_calendar(coalition, events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{coalition.slug}-events.ics"'
    return response


@cached_for_the_public
def resource_directory(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = _coalition(coalition_slug)
    return render(request, "public/directory.html", {"coalition": coalition, "areas": public.directory(coalition)})


def contact(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """A message to the organizers, in the visitor's language. The thanks is
    in the address it is sent back to (?sent=1), not in a cookie."""
    coalition = _coalition(coalition_slug)
    form = ContactForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        source = public.source_of(client_ip(request))
        if public.too_many(source):
            form.add_error(
                None,
                _(
                    "You have sent several messages in the last hour. "
                    "Please wait a while, or call the numbers in the guide."
                ),
            )
        else:
            public.receive(
                coalition,
                source=source,
                language=get_language(),
                **{k: form.cleaned_data[k] for k in ("name", "email", "message")},
            )
            form.log_check()
            return redirect(reverse("public_contact", args=[coalition.slug]) + "?sent=1")
    sent = request.method == "GET" and request.GET.get("sent") == "1"
    return render(request, "public/contact.html", {"coalition": coalition, "form": form, "sent": sent})


@organizers_only
def inquiries(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """Organizers triage the messages from the public."""
    if request.method == "POST":
        inquiry = get_object_or_404(coalition.inquiries, pk=request.POST.get("inquiry"))
        status = request.POST.get("status")
        if status in Inquiry.Status.values:
            inquiry.status = status
            inquiry.save(update_fields=["status"])
            messages.success(
                request, f"The message from {inquiry.name} is marked {inquiry.get_status_display().lower()}."
            )
        # Back to the same status and page (the form posts to this address).
        return redirect(request.get_full_path())
    status = request.GET.get("status", "new")
    rows = coalition.inquiries.all() if status == "all" else coalition.inquiries.filter(status=status)
    # A busy public page gathers thousands: a page of 50 at a time, with the count.
    page = slice_of(rows.order_by("-created_at", "-pk"), request, "page")
    return render(
        request,
        "public/inquiries.html",
        {"coalition": coalition, "rows": page, "status": status, "statuses": Inquiry.Status.choices},
    )


class GuideStepForm(forms.ModelForm):
    class Meta:
        model = GuideStep
        fields = ["title", "title_es", "age", "situation", "body", "body_es", "response_areas", "position"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 3}),
            "body_es": forms.Textarea(attrs={"rows": 3}),
            "response_areas": forms.CheckboxSelectMultiple,
        }
        labels = {"title": "If…", "body": "What to do"}
        field_classes = {"response_areas": ModelMultipleChoiceField}

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.coalition = coalition
        self.fields["response_areas"].queryset = coalition.response_areas.filter(is_active=True)
        self.fields["situation"].choices = [("", "Not stated: no 911 or hotline button"), *GuideStep.Situation.choices]
        self.fields["response_areas"].help_text = "The public numbers of agencies with roles in these areas are listed."


def public_guide_in(coalition: Coalition, code: str, name: str) -> dict:
    """The public guide in one language, for its organizers: its address, and
    the <iframe> an agency pastes to show it in that language."""
    with translation.override(code):
        return {
            "code": code,
            "name": name,
            "url": reverse("public_guide", args=[coalition.slug]),
            "embed_code": format_html(
                '<iframe src="{}" title="{}" lang="{}" style="width:100%;height:1000px;border:0"></iframe>',
                absolute_url(reverse("public_guide_embed", args=[coalition.slug])),
                _("Report trafficking · %(name)s") % {"name": coalition.name},
                code,
            ),
        }


@organizers_only
def guide_edit(request: HttpRequest, coalition: Coalition, pk: int | None = None) -> HttpResponse:
    """Organizers word the guide's steps; the numbers come from the agencies."""
    step = get_object_or_404(coalition.guide_steps, pk=pk) if pk else None
    form = GuideStepForm(post_data(request), instance=step, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The guide is updated.")
        return redirect("guide_edit", coalition.slug)
    steps = public.guide(coalition)
    warnings = public.guide_warnings(steps)
    return render(
        request,
        "public/guide_edit.html",
        {
            "coalition": coalition,
            "form": form,
            "step": step,
            # Each step with what organizers should fix before the public relies on it.
            "steps": [(s, warnings.get(s.pk, [])) for s, _ in steps],
            # Written here, each value escaped for the attribute: the page escapes the whole again to show it.
            "languages": [public_guide_in(coalition, code, name) for code, name in settings.LANGUAGES],
            "feed_url": absolute_url(reverse("public_events_feed", args=[coalition.slug])),
        },
    )
