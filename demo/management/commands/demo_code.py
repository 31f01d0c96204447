"""The current code of the demo's authenticator app, for signing in as the
demo organizer or lead without adding the demo secret to a phone."""

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core.management.base import BaseCommand

from demo.logins import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo organizer and lead."

    def handle(self, *args, **options):
        counters = list(yield_hotp_counters_from_time())
        counter = counters[len(counters) // 2]  # now, not the tolerance on either side
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
