"""Every URL pattern of Roundtable with arguments from the demo coalitions: the
one table that the fuzz test and the access matrix walk. A pattern missing
here fails both (each compares this table with the URL conf)."""

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from coordination.models import Coalition, User
from meetings import invitations
from meetings.models import AgendaItem, Attachment, Attendance, Meeting, MeetingSeries
from members import notices as member_notices
from members.email_settings import SALT as SETTINGS_SALT
from members.models import Agency, JoinRequest, Membership, Person
from public_site.models import GuideStep
from reports.models import Activity
from tasks.models import ActionItem


def url_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def path_arguments() -> dict[str, list]:
    """The arguments of every URL pattern, from the demo coalition."""
    shasta = Coalition.objects.get(slug="shasta")
    sheriff = Agency.objects.get(name="Shasta County Sheriff's Office")
    person = sheriff.people.first()
    unlinked = Person.objects.filter(agency__in=Agency.objects.of_coalition(shasta), user=None).first()
    membership = Membership.objects.filter(coalition=shasta, agency=sheriff).first()
    meeting = Meeting.objects.filter(coalition=shasta, minutes__isnull=False).order_by("-starts_at").first()
    item = AgendaItem.objects.filter(meeting__coalition=shasta).first()
    attendance = Attendance.objects.filter(meeting__coalition=shasta, person__isnull=False).first()
    attachment = Attachment.objects.first()
    user = User.objects.get(email="member@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return {
        "home": [],
        "login": [],
        "logout": [],
        "password_change": [],
        "password_change_done": [],
        "password_reset": [],
        "password_reset_done": [],
        "password_reset_confirm": [uid, token],
        "password_reset_complete": [],
        "invitation_accept": [uid, token],
        "switch_coalition": [],
        "coalition": [shasta.slug],
        "notification_log": [shasta.slug],
        "invite": [shasta.slug],
        "committee_create": [shasta.slug],
        "committee": [shasta.slug, shasta.committees.first().slug],
        "committee_edit": [shasta.slug, shasta.committees.first().slug],
        "member_list": [shasta.slug],
        "member_add": [shasta.slug],
        "coverage": [shasta.slug],
        "response_areas": [shasta.slug],
        "response_area_edit": [shasta.slug, shasta.response_areas.first().pk],
        "agency": [sheriff.pk],
        "agency_edit": [sheriff.pk],
        "agency_confirm": [sheriff.pk],
        "role_add": [sheriff.pk],
        "role_edit": [sheriff.pk, sheriff.roles.first().pk],
        "person_add": [sheriff.pk],
        "person_edit": [sheriff.pk, person.pk],
        "person_invite": [unlinked.agency_id, unlinked.pk],
        "membership_edit": [membership.pk],
        "join_request_answer": [JoinRequest.objects.first().pk],
        "join_request_withdraw": [JoinRequest.objects.first().pk],
        "confirm_by_link": [member_notices.confirm_token(membership)],
        "meeting_list": [shasta.slug],
        "meeting_create": [shasta.slug],
        "meeting_search": [shasta.slug],
        "series_create": [shasta.slug],
        "series_edit": [shasta.slug, MeetingSeries.objects.filter(coalition=shasta).first().pk],
        "meeting": [meeting.pk],
        "meeting_edit": [meeting.pk],
        "meeting_cancel": [meeting.pk],
        "agenda": [item.meeting_id],
        "agenda_item": [item.meeting_id, item.pk],
        "attendance": [meeting.pk],
        "rsvp": [meeting.pk],
        "minutes_edit": [meeting.pk],
        "minutes_approve": [meeting.pk],
        "meeting_ics": [meeting.pk],
        "attachment_upload": [meeting.pk],
        "attachment": [attachment.pk if attachment else 999999],
        "rsvp_link": [invitations.rsvp_token(attendance)],
        "reminder_settings": [signing.dumps(person.pk, salt=SETTINGS_SALT)],
        "calendar_settings": [],
        "calendar_feed": [user.reset_calendar_token()],
        "action_list": [shasta.slug],
        "action_create": [shasta.slug],
        "review_board": [shasta.slug],
        "meeting_actions": [meeting.pk],
        "action": [ActionItem.objects.filter(coalition=shasta).first().pk],
        "action_edit": [ActionItem.objects.filter(coalition=shasta).first().pk],
        "activity_list": [shasta.slug],
        "activity_create": [shasta.slug],
        "activity_edit": [shasta.slug, Activity.objects.filter(coalition=shasta).first().pk],
        "activity_delete": [shasta.slug, Activity.objects.filter(coalition=shasta).first().pk],
        "report": [shasta.slug],
        "engagement": [shasta.slug],
        "inquiries": [shasta.slug],
        "guide_edit": [shasta.slug],
        "guide_step_edit": [shasta.slug, GuideStep.objects.filter(coalition=shasta).first().pk],
        "public_coalition": [shasta.slug],
        "public_guide": [shasta.slug],
        "public_directory": [shasta.slug],
        "public_contact": [shasta.slug],
        "dashboard": [],
        "healthz": [],
    }
