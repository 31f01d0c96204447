"""Every URL pattern of Roundtable with arguments from the demo coalitions: the
one table that the fuzz test and the access matrix walk. A pattern missing
here fails both (each compares this table with the URL conf)."""

from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from api import tokens as api_tokens
from api.models import ApiToken
from coordination.models import Coalition, CoalitionRole, Committee, Export, StoredFinding, User
from coordination.notifications import Topic
from meetings import invitations
from meetings import services as meeting_services
from meetings.models import AgendaItem, Attachment, Attendance, Meeting, MeetingSeries, Minutes
from members import email_settings
from members import notices as member_notices
from members.email_settings import SALT as SETTINGS_SALT
from members.models import Agency, JoinRequest, Membership, Person
from public_site.models import GuideStep
from reports.models import Activity
from tasks.models import ActionItem
from tests.factories import give_second_factor
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def url_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # (the API's endpoints have their own matrix: tests/api/test_api_access.py)
                if pattern.app_name not in ("admin", "api"):
                    yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def written_export(coalition: Coalition, user: User, *, expired: bool = False) -> Export:
    """A download the worker wrote for `user`: only they may see it."""
    now = timezone.now()
    export, created = Export.objects.get_or_create(
        coalition=coalition,
        requested_by=user,
        filename="expired" if expired else f"{coalition.slug}-actions",
        defaults={
            "format": "csv",
            "path": reverse("action_list", args=[coalition.slug]),
            "query": "_export=csv",
            "status": Export.Status.DONE,
            "rows_done": 1,
            "rows_total": 1,
            "finished_at": now,
            "expires_at": now + timedelta(hours=-1 if expired else 24),
        },
    )
    if created:
        export.file.save(f"{export.pk}.csv", ContentFile(b"Action\r\nOne\r\n"))
    return export


def demo_webhook(coalition):
    """An endpoint of the coalition's, with one failed delivery in its log."""
    endpoint, created = WebhookEndpoint.objects.get_or_create(
        coalition=coalition, url="https://hooks.example.org/roundtable", defaults={"events": ["meeting.scheduled"]}
    )
    if created:
        event = WebhookEvent.objects.create(coalition=coalition, name="webhook.test", payload={"type": "webhook.test"})
        WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, status=WebhookDelivery.Status.FAILED, attempts=8, last_error="HTTP 500"
        )
    return endpoint


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
    export = written_export(shasta, user)
    api_token = ApiToken.objects.filter(user=user, name="Dashboard").first()
    api_token = api_token or api_tokens.issue(user, name="Dashboard", scope="read", days=30)[0]
    hook = demo_webhook(shasta)
    return {
        "webhooks": [shasta.slug],
        "webhook_add": [shasta.slug],
        "webhook": [shasta.slug, hook.pk],
        "webhook_edit": [shasta.slug, hook.pk],
        "webhook_secret": [shasta.slug, hook.pk],
        "webhook_delete": [shasta.slug, hook.pk],
        "webhook_test": [shasta.slug, hook.pk],
        "webhook_redeliver_failed": [shasta.slug, hook.pk],
        "webhook_redeliver": [shasta.slug, hook.pk, hook.deliveries.order_by("pk").first().pk],
        "api_token_revoke": [api_token.pk],
        "coalition_token_revoke": [shasta.slug, api_token.pk],
        "home": [],
        "login": [],
        "logout": [],
        "confirm_identity": [],
        "account_login": [],
        "account_logout": [],
        "account_reauthenticate": [],
        "openid_connect_login": ["county"],
        "openid_connect_callback": ["county"],
        "socialaccount_login_cancelled": [],
        "socialaccount_login_error": [],
        "mfa_index": [],
        "mfa_authenticate": [],
        "mfa_reauthenticate": [],
        "mfa_activate_totp": [],
        "mfa_deactivate_totp": [],
        "mfa_list_webauthn": [],
        "mfa_add_webauthn": [],
        "mfa_reauthenticate_webauthn": [],
        "mfa_remove_webauthn": [999999],
        "mfa_edit_webauthn": [999999],
        "mfa_view_recovery_codes": [],
        "mfa_generate_recovery_codes": [],
        "mfa_download_recovery_codes": [],
        "coalition_security": [shasta.slug],
        "api_tokens": [],
        "coalition_tokens": [shasta.slug],
        "security_log": [shasta.slug],
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
        "notification_resend_failed": [shasta.slug],
        "privacy_review": [shasta.slug],
        "privacy_finding": [shasta.slug, StoredFinding.objects.filter(coalition=shasta).first().pk],
        "autocomplete": [shasta.slug, "agency"],
        "export": [shasta.slug, export.pk],
        "export_download": [shasta.slug, export.pk],
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
        "person_left": [unlinked.agency_id, unlinked.pk],
        "person_second_factor_reset": [sheriff.pk, sheriff.people.filter(user__isnull=False).first().pk],
        "membership_edit": [membership.pk],
        "join_request_answer": [JoinRequest.objects.first().pk],
        "join_request_withdraw": [JoinRequest.objects.first().pk],
        "confirm_by_link": [member_notices.confirm_token(membership)],
        "meeting_list": [shasta.slug],
        "meeting_create": [shasta.slug],
        "meeting_search": [shasta.slug],
        "meeting_settings": [shasta.slug],
        "series_create": [shasta.slug],
        "series_edit": [shasta.slug, MeetingSeries.objects.filter(coalition=shasta).first().pk],
        "meeting": [meeting.pk],
        "meeting_edit": [meeting.pk],
        "meeting_cancel": [meeting.pk],
        "agenda": [item.meeting_id],
        "agenda_item": [item.meeting_id, item.pk],
        "attendance": [meeting.pk],
        "send_invitations": [meeting.pk],
        "rsvp": [meeting.pk],
        "minutes_edit": [meeting.pk],
        "minutes_read": [meeting.pk],
        "minutes_approve": [meeting.pk],
        "meeting_ics": [meeting.pk],
        "attachment_upload": [meeting.pk],
        "attachment": [attachment.pk if attachment else 999999],
        "rsvp_link": [invitations.rsvp_token(attendance)],
        "reminder_settings": [signing.dumps(person.pk, salt=SETTINGS_SALT)],
        "email_unsubscribe": [
            email_settings.unsubscribe_url(person.email, Topic.REMINDERS).rstrip("/").rsplit("/", 1)[-1]
        ],
        "calendar_settings": [],
        "calendar_feed": [user.reset_calendar_token()],
        "action_list": [shasta.slug],
        "action_create": [shasta.slug],
        "review_board": [shasta.slug],
        "meeting_actions": [meeting.pk],
        "agenda_open_items": [meeting.pk],
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
        "public_home": [],
        "public_coalition": [shasta.slug],
        "public_guide": [shasta.slug],
        "public_guide_embed": [shasta.slug],
        "public_events_feed": [shasta.slug],
        "public_directory": [shasta.slug],
        "public_contact": [shasta.slug],
        "dashboard": [],
        "healthz": [],
        "readyz": [],
        "metrics": [],
    }


# The pages that list rows without end (more agencies, meetings, items): each
# shows a page at a time, as tests/test_pagination.py proves.
LIST_PAGES = (
    "member_list",
    "coverage",
    "meeting_list",
    "meeting",
    "attendance",
    "action_list",
    "review_board",
    "activity_list",
    "notification_log",
    "privacy_review",
    "security_log",
    "coalition_tokens",
    "webhooks",
    "webhook",
    "inquiries",
    "report",
    "engagement",
)


# --- A world of every kind of user, for the access matrix and the choices test ---

# anon: nobody; mem_a: the Sheriff's Office (X only), on no committee; cmte: the
# same agency, on X's restricted committee; mem_b: Siskiyou CPS (Y only);
# shared: the Highway Patrol (X and Y); org_x, org_y: an organizer of one
# coalition each; lead_x: X's lead, on no restricted committee.
ROLES = ["anon", "mem_a", "cmte", "mem_b", "shared", "org_x", "org_y", "lead_x"]


def _login(email: str, *, agency: str | None = None, organizer_of: str | None = None) -> User:
    user = User.objects.create_user(email=email, password="x" * 20, full_name=email.split("@")[0].title())
    if agency:
        Person.objects.create(agency=Agency.objects.get(name=agency), full_name=user.full_name, email=email, user=user)
    if organizer_of:
        CoalitionRole.objects.create(
            coalition=Coalition.objects.get(slug=organizer_of), user=user, role=CoalitionRole.Role.ORGANIZER
        )
        give_second_factor(user)  # the one their standing needs
    return user


def _attach(meeting, name: str):
    minutes, _ = Minutes.objects.get_or_create(meeting=meeting)
    return meeting_services.attach(minutes, SimpleUploadedFile(name, name.encode(), content_type="text/plain"), None)


def extra_arguments() -> dict[str, list]:
    """Pages of X's restricted committee, and of the agency X shares with Y."""
    shasta = Coalition.objects.get(slug="shasta")
    committee = Committee.objects.get(coalition=shasta, visibility=Committee.Visibility.RESTRICTED)
    meeting = Meeting.objects.filter(committee=committee, status=Meeting.Status.HELD).order_by("-starts_at").first()
    attachment = _attach(meeting, "plan.txt")
    open_meeting = Meeting.objects.filter(coalition=shasta, committee=None, status=Meeting.Status.HELD).first()
    item = ActionItem.objects.create(
        coalition=shasta,
        committee=committee,
        meeting=meeting,
        title="Brief the task force",
        owner_agency=Agency.objects.get(name="Shasta County Sheriff's Office"),
        due_on=timezone.localdate(),
    )
    chp = Agency.objects.get(name="California Highway Patrol, Northern Division")
    chp_person = chp.people.exclude(email="shared@chp.example.org").first()
    member = User.objects.get(email="member@example.org")
    return {
        "agency:shared": [chp.pk],
        "agency_edit:shared": [chp.pk],
        "role_add:shared": [chp.pk],
        "person_add:shared": [chp.pk],
        "person_edit:shared": [chp.pk, chp_person.pk],
        "committee:restricted": [shasta.slug, committee.slug],
        "committee_edit:restricted": [shasta.slug, committee.slug],
        "meeting:restricted": [meeting.pk],
        "minutes_edit:restricted": [meeting.pk],
        "minutes_read:restricted": [meeting.pk],
        "meeting_actions:restricted": [meeting.pk],
        "attachment": [_attach(open_meeting, "agenda.txt").pk],
        "attachment:restricted": [attachment.pk],
        "action:restricted": [item.pk],
        "action_edit:restricted": [item.pk],
        "export_download:expired": [shasta.slug, written_export(shasta, member, expired=True).pk],
    }


def build_world() -> dict:
    """The demo coalitions and a login of every role; the URL of every row."""
    call_command("seed_demo", verbosity=0)
    users = {
        "mem_a": _login("mem-a@sheriff.example.org", agency="Shasta County Sheriff's Office"),
        "cmte": User.objects.get(email="member@example.org"),
        "mem_b": _login("mem-b@cps.example.org", agency="Siskiyou County Child Protective Services"),
        "shared": _login("shared@chp.example.org", agency="California Highway Patrol, Northern Division"),
        "org_x": _login("org-x@example.org", organizer_of="shasta"),
        "org_y": _login("org-y@example.org", organizer_of="siskiyou"),
        "lead_x": User.objects.get(email="lead@example.org"),
    }
    arguments = path_arguments() | extra_arguments()
    urls = {name: reverse(name.split(":")[0], args=args) for name, args in arguments.items() if name != "logout"}
    return {"urls": urls, "users": users}
