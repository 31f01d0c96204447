"""Every form keeps what it is given. For every page of the URL table
(tests/demo_urls.py) that shows a form writing a row, as a user who may use
it, every field is changed to a new valid value and the form is posted the
way its HTML posts it (its action, its hidden inputs); then the row is read
back from the database and every field must hold the new value, and the
row's history must record the change, by that user.

Forms found on the pages must each be named in ROUND_TRIP (a form that saves
a row) or NOT_SAVING (a form that does something else, e.g. a filter or a
one-off action tested where it lives), so a new form fails here until it is
covered."""

import datetime
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coordination.forms import PrivacyCheckedForm

from .demo_urls import build_world
from .test_form_choices import forms_of

ROOT = Path(__file__).resolve().parent.parent


def _people_of_the_owner(form, values: dict) -> None:
    """The assignee (and backup) must work for the owning agency: own it by an
    agency with two active people, and give it to them."""
    from members.models import Person

    agencies = form.fields["owner_agency"].queryset
    for agency in agencies.exclude(pk=values["owner_agency"]).order_by("pk"):
        people = list(Person.objects.filter(agency=agency, is_active=True).values_list("pk", flat=True)[:2])
        if len(people) == 2:
            values["owner_agency"] = str(agency.pk)
            values["assignee"] = str(people[0])
            if "backup" in values:
                values["backup"] = str(people[1])
            return
    raise AssertionError("the demo needs an agency with two active people")


def _a_phone_line(form, values: dict) -> None:
    """A number a phone can dial; a line that answers 24/7 has no hours."""
    values["number"] = f"(530) 555-{form.prefix.rsplit('-', 1)[-1]:0>4}"
    if values["available_24_7"]:
        values["hours"] = ""


def _held_before_today(form, values: dict) -> None:
    """People reached are counted once the activity has been held."""
    values["held_on"] = (timezone.localdate() - datetime.timedelta(days=9)).isoformat()


# The forms that write a row: who may use them, how to find the row written,
# and how to read back a field the form holds apart from the model's own.
# "created" rows are the model's newest; edited rows are the form's instance.
ROUND_TRIP = {
    "AgencyForm": {},
    "NewMemberForm": {
        "read": {
            "status": lambda agency: agency.memberships.get().status,
            "joined_on": lambda agency: agency.memberships.get().joined_on,
        }
    },
    "AgencyRoleForm": {},
    # A role's lines, in a formset beside the role: the line's own id and role are kept, and it is not deleted.
    # Round-tripped where the role exists (adding a role with its lines: tests/members/test_contact_lines.py).
    "ContactLineForm": {"adjust": _a_phone_line, "keep": {"id", "role", "DELETE"}, "pages": {"role_edit"}},
    "PersonForm": {},
    "MembershipForm": {},
    "ResponseAreaForm": {},
    "CommitteeForm": {
        "read": {
            "members": lambda committee: set(committee.members.all()),
            "leads": lambda committee: {m.person for m in committee.memberships.filter(is_lead=True)},
        }
    },
    "MeetingForm": {
        "read": {
            "date": lambda meeting: timezone.localtime(meeting.starts_at, meeting.zone).date(),
            "start_time": lambda meeting: timezone.localtime(meeting.starts_at, meeting.zone).time(),
            "end_time": lambda meeting: timezone.localtime(meeting.ends_at, meeting.zone).time(),
        }
    },
    "SeriesForm": {},
    "AgendaItemForm": {},
    "MinutesForm": {},
    "QuickItemForm": {"adjust": _people_of_the_owner},
    "ActionItemForm": {"adjust": _people_of_the_owner},
    "EmailSettingsForm": {},
    "ActivityForm": {"adjust": _held_before_today},
    "GuideStepForm": {},
}

# Forms that write no row of their own, or whose effect is more than a row and
# is tested in its own module.
NOT_SAVING = {
    "WebhookEndpointForm": "an endpoint, read back field by field, and its secret and re-enabling; "
    "tests/webhooks/test_pages.py",
    "TokenForm": "makes a token and shows its secret once; tests/api/test_tokens.py",
    "ConfirmIdentityForm": "checks the password again; tests/coordination/test_reauth.py",
    "PasswordChangeForm": "Django's own; tests/coordination/test_accounts.py",
    "PasswordResetForm": "sends an e-mail; tests/coordination/test_accounts.py",
    "InvitationForm": "creates a login and a person; tests/coordination/test_accounts.py",
    "ExistingAgencyForm": "asks an agency to join; tests/members/test_shared_agencies.py",
    "CancelForm": "cancels a meeting; tests/meetings/test_meetings.py",
    "AttachmentForm": "uploads a file; tests/meetings/test_import.py",
    "GuestForm": "adds a guest to the attendance; tests/meetings/test_meeting_work.py",
    "AgencyAttendanceForm": "records a whole agency's invitees; tests/meetings/test_story.py",
    "MeetingSettingsForm": "the coalition's invitation and reminder settings; tests/meetings/test_invitations.py",
    "BulkForm": "changes many items at once; tests/tasks/test_actions.py",
    "UpdateForm": "adds an update to an item's log; tests/tasks/test_actions.py",
    "ManageForm": "reassigns an item, logged; tests/tasks/test_actions.py",
    "ReportPeriodForm": "chooses a report's period",
    "ManagementForm": "counts a formset's forms; the formset's forms are round-tripped",
    "ContactForm": "a message from the public; tests/public_site/test_public.py",
    "CoalitionSecurityForm": "one switch, read back; tests/coordination/test_second_factor.py",
    # django-allauth's second-factor forms: each adds or removes an authenticator, tested as people use them
    "ActivateTOTPForm": "adds an authenticator app; tests/coordination/test_second_factor.py",
    "DeactivateTOTPForm": "removes it; tests/coordination/test_second_factor.py",
    "AddWebAuthnForm": "adds a passkey; tests/browser/test_second_factor.py",
    "GenerateRecoveryCodesForm": "renews the recovery codes; allauth's own",
    "ReauthenticateForm": "confirms with a code; allauth's own",
}

# Which page each round trip uses, and as whom: organizers may use them all,
# except the e-mail settings, which are a person's own.
ROLE_FOR = {"reminder_settings": "cmte"}


class HTMLForms(HTMLParser):
    """The <form>s of a page: action, method, hidden inputs, named buttons, field names."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {
                "action": attrs.get("action"),
                "method": (attrs.get("method") or "get").lower(),
                "hidden": {},
                "buttons": [],
                "names": set(),
            }
            self.forms.append(self.current)
        elif self.current is not None and tag in {"input", "select", "textarea", "button"} and attrs.get("name"):
            name = attrs["name"]
            kind = (attrs.get("type") or "").lower()
            if tag == "input" and kind == "hidden":
                self.current["hidden"][name] = attrs.get("value", "")
            elif tag == "button" or kind == "submit":
                self.current["buttons"].append((name, attrs.get("value", "")))
            else:
                self.current["names"].add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def html_form_for(page: str, form) -> dict:
    parser = HTMLForms()
    parser.feed(page)
    wanted = {form.add_prefix(name) for name in form.fields}
    candidates = [f for f in parser.forms if f["method"] == "post" and f["names"] & wanted]
    assert candidates, f"{type(form).__name__}: no <form method=post> on the page holds its fields"
    return max(candidates, key=lambda f: len(f["names"] & wanted))


def _options(field) -> list:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            values += [v for v, _ in label]
        else:
            values.append(value)
    return [getattr(v, "value", v) for v in values if str(getattr(v, "value", v)) != ""]


def new_value(name: str, field: forms.Field, current) -> object:
    """A valid value different from the current one, as the browser would post it."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        current = {str(getattr(v, "pk", v)) for v in (current or [])}
        options = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:4]]
        chosen = [pk for pk in options if pk not in current][:2] or options[:1]
        return chosen
    if isinstance(field, forms.ModelChoiceField):
        current = str(getattr(current, "pk", current) or "")
        options = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:50]]
        return next((pk for pk in options if pk != current), current)
    if isinstance(field, forms.BooleanField):
        return not bool(current)
    if isinstance(field, forms.MultipleChoiceField):
        return [str(v) for v in _options(field) if str(v) not in {str(c) for c in current or []}][:1]
    if isinstance(field, forms.ChoiceField):
        options = [str(v) for v in _options(field)]
        return next((v for v in options if v != str(current if current is not None else "")), options[0])
    if isinstance(field, forms.EmailField):
        return f"changed.{name}@example.org"
    if isinstance(field, forms.URLField):
        return f"https://changed.example.org/{name}"
    if isinstance(field, forms.DateField):  # an end comes after its start
        base = current if isinstance(current, datetime.date) else timezone.localdate()
        days = 400 if name.startswith("end") else 9
        return (base + datetime.timedelta(days=days)).isoformat()
    if isinstance(field, forms.TimeField):  # an end comes after its start
        choices = ("16:45", "17:30") if name.startswith("end") else ("10:15", "09:30")
        return choices[0] if str(current)[:5] != choices[0] else choices[1]
    if isinstance(field, forms.IntegerField):
        value = int(current or 0) + 1
        if field.max_value is not None and value > field.max_value:
            value = int(current or 0) - 1
        return str(value)
    if isinstance(field, forms.CharField):
        return f"Changed {name} {field.max_length or ''}".strip()[: field.max_length or 200]
    raise AssertionError(f"No new value for {name} ({type(field).__name__}): teach new_value")


def current_values(form) -> dict:
    """What the browser posts for a form left as it is (another form of the
    same <form>, such as the other lines of a formset)."""
    data = {}
    for name, field in form.fields.items():
        value, key = form[name].value(), form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[key] = "" if value is None else str(getattr(value, "pk", value))
    return data


def post_data(form, html: dict, values: dict) -> dict:
    data = dict(html["hidden"])
    data.pop("csrfmiddlewaretoken", None)
    for name, value in values.items():
        key = form.add_prefix(name)
        if value is True:
            data[key] = "on"
        elif value is False:
            data.pop(key, None)
        else:
            data[key] = value
    if html["buttons"]:
        button, value = html["buttons"][0]
        data.setdefault(button, value)
    return data


def read_back(form, spec: dict, before: set) -> object:
    model = form._meta.model
    if form.instance.pk:
        return model.objects.get(pk=form.instance.pk)
    created = model.objects.exclude(pk__in=before)
    assert created.count() == 1, f"{type(form).__name__}: expected one new {model.__name__}, found {created.count()}"
    return created.get()


def stored(obj, name: str, spec: dict):
    reader: Callable | None = spec.get("read", {}).get(name)
    if reader:
        return reader(obj)
    value = getattr(obj, name)
    if hasattr(value, "all"):
        return set(value.all())
    return value


def expected(field: forms.Field, raw):
    value = field.clean(raw if raw is not False else False)
    if isinstance(field, forms.ModelMultipleChoiceField):
        return set(value)
    return value


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_world()
        call_command("flush", interactive=False, verbosity=0)


def forms_on_pages(world) -> set[tuple[str, str]]:
    """(page, form class) for every form of every page, filters aside."""
    found = set()
    for role in ("org_x", "cmte"):
        client = Client()
        client.force_login(world["users"][role])
        for name, url in world["urls"].items():
            response = client.get(url)
            if response.status_code == 200 and response.context is not None:
                found |= {
                    (name.split(":")[0], type(form).__name__) for form in forms_of(response.context, filters=False)
                }
    return found


@pytest.mark.django_db
def test_every_form_is_round_tripped_or_said_not_to_save(world):
    found = forms_on_pages(world)
    names = {form for _, form in found}
    assert names - set(ROUND_TRIP) - set(NOT_SAVING) == set(), "name each new form in ROUND_TRIP or NOT_SAVING"
    assert set(ROUND_TRIP) | set(NOT_SAVING) <= names, "a form named here is on no page any more"
    assert {page for page, form in found if form in ROUND_TRIP} <= set(PAGES), "add the page to PAGES"
    for reason in NOT_SAVING.values():
        for word in reason.split():
            assert not word.startswith("tests/") or (ROOT / word).is_file(), f"{word} does not exist"


PAGES = [
    "agency_edit",
    "member_add",
    "role_add",
    "role_edit",
    "person_add",
    "person_edit",
    "membership_edit",
    "response_areas",
    "response_area_edit",
    "committee_create",
    "committee_edit",
    "meeting_create",
    "meeting_edit",
    "series_create",
    "series_edit",
    "agenda",
    "agenda_item",
    "minutes_edit",
    "meeting_actions",
    "action_create",
    "action_edit",
    "reminder_settings",
    "activity_create",
    "activity_edit",
    "guide_edit",
    "guide_step_edit",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_every_field_of_the_form_is_saved_and_logged(world, page):
    user = world["users"][ROLE_FOR.get(page, "org_x")]
    client = Client()
    client.force_login(user)
    url = world["urls"][page]
    response = client.get(url)
    assert response.status_code == 200
    saving = [
        f
        for f in forms_of(response.context)
        if type(f).__name__ in ROUND_TRIP and page in ROUND_TRIP[type(f).__name__].get("pages", {page})
    ]
    assert saving, f"{page} shows no form of ROUND_TRIP"
    for form in saving:
        spec = ROUND_TRIP[type(form).__name__]
        model = form._meta.model
        before = set(model.objects.values_list("pk", flat=True))
        keep = spec.get("keep", set())
        fields = {name: field for name, field in form.fields.items() if name not in keep}
        values = {name: new_value(name, field, form[name].value()) for name, field in fields.items()}
        if "adjust" in spec:
            spec["adjust"](form, values)
        wanted = {name: expected(field, values[name]) for name, field in fields.items()}
        earlier = form.instance.history.order_by("-history_date", "-history_id").first() if form.instance.pk else None
        html = html_form_for(response.content.decode(), form)
        data = post_data(form, html, values)
        for other in forms_of(response.context, filters=False):
            if other is not form and {other.add_prefix(name) for name in other.fields} & html["names"]:
                for key, value in current_values(other).items():
                    data.setdefault(key, value)
        for name in keep:
            data.update({key: value for key, value in current_values(form).items() if key == form.add_prefix(name)})
        answer = client.post(html["action"] or url, data)
        errors = answer.context and [f.errors for f in forms_of(answer.context) if f.errors]
        assert answer.status_code == 302, f"{page}: {type(form).__name__} refused {values}: {errors}"
        obj = read_back(form, spec, before)
        for name in fields:
            # the privacy guard's "I checked" box and reason belong to every guarded form, not to its row
            if name in spec.get("not_stored", set()) or (
                name in ("checked", "checked_reason") and isinstance(form, PrivacyCheckedForm)
            ):
                continue
            assert stored(obj, name, spec) == wanted[name], f"{page}: {name} not saved"
        record = obj.history.order_by("-history_date", "-history_id").first()
        assert record is not None and record.history_user == user, f"{page}: the change is not in the history"
        if earlier is not None:  # an edit: each field changed shows in the history's difference
            logged = {change.field for change in record.diff_against(earlier).changes}
            model_fields = {field.name for field in model._meta.concrete_fields}
            for name in fields:
                if name in model_fields and getattr(earlier, name + "_id", getattr(earlier, name, None)) != (
                    getattr(wanted[name], "pk", wanted[name])
                ):
                    assert name in logged, f"{page}: the change of {name} is not in the history"
