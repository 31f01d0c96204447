"""Load the demo coalitions: one modelled on Shasta County's (meeting since
November 2013), one on neighbouring Siskiyou County's. Safe to run again: it
creates what is missing and leaves what exists as it is. Local phone numbers
are fictitious (555-01xx); the National Human Trafficking Hotline is real."""

from django.core.management.base import BaseCommand
from django.db import transaction

from coordination import stored_text
from coordination.models import Coalition
from demo.actions import build_action_items
from demo.activities import build_activities
from demo.agencies import build_agencies, build_agency_roles, build_join_requests
from demo.coalitions import appoint_organizer_and_lead, build_coalitions, build_committees
from demo.logins import DEMO_PASSWORD, DEMO_TOTP_SECRET, LOGINS
from demo.meetings import build_meetings
from demo.people import build_people


class Command(BaseCommand):
    help = "Create the demo coalitions, agencies, people and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any coalition exists.")

    @transaction.atomic
    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Coalition.objects.exists():
            self.stdout.write("Coalitions exist already; demo data left alone.")
            return
        coalitions = build_coalitions()
        agencies = build_agencies(coalitions)
        people = build_people(agencies)
        organizer = appoint_organizer_and_lead(coalitions)
        build_committees(coalitions, people)
        build_join_requests(coalitions, agencies, organizer)
        build_agency_roles(agencies, people)
        held = build_meetings(coalitions, organizer)
        if held is not None:  # action items hang off the meetings just built
            build_action_items(coalitions["shasta"], held, organizer)
        build_activities(coalitions, agencies, organizer)
        stored_text.scan(coalitions["shasta"])  # the privacy review finds the archive's slips

        self.stdout.write(self.style.SUCCESS("Demo coalitions are ready. Log in with:"))
        for email, what in LOGINS:
            self.stdout.write(f"  {email:<24} password {DEMO_PASSWORD}   ({what})")
        self.stdout.write(
            f"The organizer and the lead also give a code from an authenticator app: add the secret "
            f"{DEMO_TOTP_SECRET} to yours, or run `manage.py demo_code`."
        )
