"""manage.py benchmark_reminders: how long the sweep and the sends take for
many due items, and the sending process's peak memory. Not a test: it prints
figures (the README keeps the last ones). Everything it creates is rolled
back; e-mails go to Django's dummy backend, so no mail server is involved."""

import resource
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from coordination import notifications
from coordination.models import Coalition, Notification
from members.models import Agency, Membership, Person, Sector
from tasks import notices
from tasks.models import ActionItem


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Create N due action items (one person each), time the sweep and the sends, report peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=10_000)

    def handle(self, *args, items: int, **options):
        dummy = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        try:
            with override_settings(MAILERS=dummy), transaction.atomic():
                self._run(items)
                raise _Rollback
        except _Rollback:
            self.stdout.write("Benchmark data rolled back.")

    def _run(self, count: int) -> None:
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        coalition = Coalition.objects.create(name=f"Benchmark {stamp}", slug=f"benchmark-{stamp}", counties="Nowhere")
        agency = Agency.objects.create(name=f"Benchmark agency {stamp}", sector=Sector.OTHER)
        people = Person.objects.bulk_create(
            Person(agency=agency, full_name=f"Person {i}", email=f"person{i}@benchmark.example.org", digest_hour=0)
            for i in range(count)
        )
        Membership.objects.create(agency=agency, coalition=coalition, primary_representative=people[0])
        today = timezone.localdate()
        ActionItem.objects.bulk_create(
            ActionItem(
                coalition=coalition,
                title=f"Item {i}",
                owner_agency=agency,
                assignee=person,
                due_on=today - timedelta(days=i % 5),
            )
            for i, person in enumerate(people)
        )
        self.stdout.write(f"{count} due items for {count} people created.")

        started = time.perf_counter()
        queued = notices.queue_due(timezone.now())
        sweep_seconds = time.perf_counter() - started

        pending = Notification.objects.filter(coalition=None, kind=Notification.Kind.ACTION_DIGEST, status="pending")
        started = time.perf_counter()
        sent = 0
        for notification_id in pending.values_list("pk", flat=True).iterator():
            sent += notifications.deliver(notification_id) == notifications.Outcome.SENT
        send_seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        self.stdout.write(f"Sweep: {queued} messages queued in {sweep_seconds:.1f} s ({queued / sweep_seconds:.0f}/s).")
        self.stdout.write(
            f"Sends: {sent} digests built and sent in {send_seconds:.1f} s ({sent / send_seconds:.0f}/s)."
        )
        self.stdout.write(f"Peak memory of this process: {peak_mb:.0f} MB.")
