"""One guard, everywhere text comes in: every free-text field of every model
is read by the privacy guard in the form that writes it, or is exempt here
with the reason. A new text field fails this test until it is one or the
other."""

import contextlib
import importlib

from django import forms
from django.apps import apps
from django.db import models

from coordination.forms import PrivacyCheckedForm
from meetings.forms import CancelForm

APPS = {"coordination", "members", "meetings", "tasks", "reports", "public_site", "dashboard", "webhooks"}

# Text that is not a victim's to hold: written by the app, a member's own or an
# agency's public facts, or published on purpose. Each with its reason.
EXEMPT = {
    "coordination.SecurityEvent.identifier": "an e-mail address as typed at the login page, kept for the lockout's log",
    "coordination.SecurityEvent.device": "a browser's name for itself (its User-Agent)",
    "coordination.SecurityEvent.detail": "written by the app (what happened), never typed by a person",
    "coordination.User.password": "a password hash",
    "coordination.User.full_name": "a member's own name: staff of a member agency, not a victim",
    "coordination.User.calendar_token": "a secret the app makes",
    "coordination.Coalition.name": "the coalition's public name",
    "coordination.Coalition.counties": "the counties it covers",
    "coordination.Coalition.time_zone": "a setting, checked against the zone database",
    "coordination.Coalition.description": "the coalition's public description, published on purpose",
    "coordination.Coalition.description_es": "the coalition's public description, published on purpose",
    "coordination.Coalition.meeting_reminders": "a setting, checked against its format",
    "coordination.CoalitionRole.title": "a member's role title (Chair)",
    "coordination.Committee.name": "a committee's name",
    "coordination.Committee.charge": "a committee's remit, written once by organizers",
    "coordination.Notification.period": "written by the app",
    "coordination.Notification.last_error": "written by the app (the mail server's answer)",
    "coordination.Notification.claimed_by": "written by the app",
    "coordination.Heartbeat.name": "written by the app",
    "coordination.ServerError.fingerprint": "written by the app (a hash)",
    "coordination.ServerError.logger": "written by the app (a logger's name)",
    "coordination.ServerError.exception": "written by the app (an exception's class)",
    "coordination.ServerError.where": "written by the app (a file, line and function of our code)",
    "coordination.ServerError.message": "written by the app (an error's message), read by the deployment's admins only",
    "coordination.ServerError.request_id": "written by the app or the proxy (an id)",
    "webhooks.WebhookEndpoint.description": "an organizer's name for a system (County dashboard)",
    "webhooks.WebhookEndpoint.secret": "a secret the app makes",
    "webhooks.WebhookEndpoint.disabled_reason": "written by the app (why it was turned off)",
    "webhooks.WebhookEvent.name": "written by the app (an event's name)",
    "webhooks.WebhookEvent.subject_type": "written by the app",
    "webhooks.WebhookDelivery.claimed_by": "written by the app",
    "webhooks.WebhookDelivery.last_error": "written by the app (the receiver's answer, its first 200 characters)",
    "coordination.Lease.name": "written by the app",
    "coordination.Lease.holder": "written by the app",
    "coordination.Export.filename": "written by the app",
    "coordination.Export.path": "written by the app",
    "coordination.Export.query": "written by the app (a list's filters)",
    "coordination.Export.error": "written by the app",
    "coordination.PrivacyCheck.form": "written by the app",
    "coordination.PrivacyCheck.path": "written by the app",
    "coordination.PrivacyCheck.kinds": "written by the app (the kinds found, never the text)",
    "coordination.PrivacyCheck.reason": "read by the guard in PrivacyCheckedForm.clean: refused with findings",
    "coordination.StoredFinding.source": "written by the app (where a finding is)",
    "coordination.StoredFinding.field": "written by the app (where a finding is)",
    "coordination.StoredFinding.digest": "written by the app (a keyed digest, never the text)",
    "coordination.StoredFinding.reason": "read by the guard in stored_text.dismiss: refused with findings",
    "members.Agency.name": "an agency's public facts",
    "members.Agency.description": "an agency's public facts",
    "members.Agency.phone": "an agency's published main line",
    "members.Agency.address": "an agency's public address",
    "members.Agency.counties_served": "an agency's public facts",
    "members.Agency.languages": "an agency's public facts",
    "members.Person.full_name": "a member agency's staff, not a victim",
    "members.Person.title": "a member agency's staff, not a victim",
    "members.Person.phone": "a member agency's staff work phone",
    "members.ResponseArea.name": "the name of an area of the coordinated response",
    "members.ResponseArea.name_es": "the name of an area of the coordinated response",
    "members.ResponseArea.description": "what an area of the response covers, written once by organizers",
    "members.AgencyRole.description": "published on the public guide: what the agency does",
    "members.AgencyRole.description_es": "published on the public guide: what the agency does",
    "members.AgencyRole.languages": "published on the public guide",
    "members.ContactLine.label": "a published line",
    "members.ContactLine.label_es": "a published line",
    "members.ContactLine.number": "a published line",
    "members.ContactLine.hours": "a published line's hours",
    "members.ContactLine.hours_es": "a published line's hours",
    "meetings.MeetingSeries.title": "a meeting's name, e-mailed to every invitee and in their calendars",
    "meetings.MeetingSeries.place": "a meeting's venue, e-mailed to every invitee",
    "meetings.Meeting.title": "a meeting's name, e-mailed to every invitee and in their calendars",
    "meetings.Meeting.place": "a meeting's venue, e-mailed to every invitee",
    "meetings.Attendance.substitute_name": "a member agency's staff who came instead; a name alone is never a finding",
    "meetings.Attachment.name": "the uploaded file's own name",
    "meetings.Attachment.content_type": "written by the app",
    "meetings.Attachment.sha256": "written by the app",
    "meetings.MeetingEvent.summary": "written by the app from what was changed (names no case review, no item)",
    "tasks.ActionUpdate.changes": "written by the app from the fields changed",
    "reports.Activity.place": "an activity's public venue",
    "public_site.GuideStep.title": "the public guide, published on purpose",
    "public_site.GuideStep.body": "the public guide, published on purpose; its numbers are the public's",
    "public_site.GuideStep.title_es": "the public guide, published on purpose",
    "public_site.GuideStep.body_es": "the public guide, published on purpose; its numbers are the public's",
    "public_site.Inquiry.name": "the writer's own name, given to be answered",
    "public_site.Inquiry.source": "written by the app (a hash of the sender's address)",
}


def text_fields() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.CharField | models.TextField)
                and not isinstance(field, models.EmailField | models.URLField | models.SlugField)
                and not field.choices
            ):
                found.add(f"{model._meta.label}.{field.name}")
    return found


def guarded_forms() -> list[type]:
    for app in APPS:
        for module in ("forms", "views"):
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{app}.{module}")
    found, stack = [], [PrivacyCheckedForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        found.append(cls)
    return [*found, CancelForm]


def guarded() -> set[str]:
    found = set()
    for form in guarded_forms():
        found.update(getattr(form, "privacy_stores", {}).values())
        if issubclass(form, forms.ModelForm) and getattr(form._meta, "model", None):
            found.update(f"{form._meta.model._meta.label}.{name}" for name in form.privacy_fields)
    return found


def test_every_text_field_is_read_by_the_guard_or_exempt_with_a_reason():
    unguarded = sorted(text_fields() - guarded() - set(EXEMPT))
    assert not unguarded, f"read these with the privacy guard, or exempt them with a reason: {unguarded}"


def test_the_exemptions_name_real_fields_none_guarded_and_each_has_a_reason():
    assert set(EXEMPT) <= text_fields(), sorted(set(EXEMPT) - text_fields())
    assert not set(EXEMPT) & guarded(), sorted(set(EXEMPT) & guarded())
    assert all(len(reason) > 10 for reason in EXEMPT.values())


def test_each_guarded_form_reads_fields_it_has():
    for form in guarded_forms():
        if form in (PrivacyCheckedForm,):
            continue
        declared = set(form.base_fields)
        assert set(form.privacy_fields if hasattr(form, "privacy_fields") else ()) <= declared, form
        assert set(getattr(form, "privacy_stores", {})) <= declared, form
