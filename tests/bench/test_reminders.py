"""make bench's reminder part at a tiny scale, end to end: 200 people with
items due, two sweeps on real Redis, real Celery workers (1, then 2
processes) sending to the counting mail server, a batch's queries counted.
It writes its table, keeps the pages' table in the README, and leaves
nothing behind: no added people, items or ledger rows, no Redis keys."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from bench import reminders
from coordination import celery_app
from coordination.models import Notification
from members.models import Person
from tasks.models import ActionItem

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SCALE = 0.001


def test_reminder_part_sends_real_mail_through_real_workers_and_puts_everything_back(redis_url, tmp_path):
    call_command("bench", scale=SCALE, build_only=True, stdout=StringIO())
    people, items = Person.objects.count(), ActionItem.objects.count()
    readme = tmp_path / "README.md"
    readme.write_text("# Roundtable\n\n<!-- bench:start -->\npages table\n<!-- bench:end -->\n\nThe rest.\n")

    out = StringIO()
    call_command(
        "bench",
        scale=SCALE,
        only="reminders",
        reminder_people=200,
        reminder_emails=50,
        redis_url=redis_url,
        output=str(tmp_path),
        readme=str(readme),
        stdout=out,
    )

    found = json.loads((tmp_path / "latest.json").read_text())["reminders"]["result"]
    assert found["people_added"] == 200
    # the data set's own messages were settled first: the measured sweep finds the added people's digests
    assert found["backlog"] > 0
    assert found["people_due"] == 200 and found["recorded"] == 200
    assert found["dispatched"] == 200
    assert found["batches"] == -(-found["dispatched"] // 100)
    # the second sweep finds everything recorded and hands nothing over again
    assert found["second_recorded"] == 0 and found["second_dispatched"] == 0
    assert found["batch_emails"] == 100 and found["queries_per_email"] >= 1
    assert [rate["processes"] for rate in found["rates"]] == [1, 2]
    for rate in found["rates"]:
        # every e-mail marked sent reached the mail server
        assert rate["emails"] == 50 and rate["received"] == 50, rate
        assert rate["per_process"] > 0 and 10 < rate["peak_pool_mb"] < 2000, rate
    table = (tmp_path / "latest.md").read_text()
    assert table.startswith(reminders.MARK) and "e-mails in" in table and "queries per e-mail" in table
    text = readme.read_text()
    assert "pages table\n" in text and table in text and text.endswith("The rest.\n")

    assert Person.objects.count() == people and ActionItem.objects.count() == items
    assert not Notification.objects.exists()
    with celery_app.connection_for_write(redis_url) as broker:
        assert not [key for key in broker.default_channel.client.scan_iter(match="*bench-reminders-*")]

    # a pages-only run replaces the pages' table and keeps the reminders'
    call_command(
        "bench", scale=SCALE, repeat=1, only="public guide", output=str(tmp_path), readme=str(readme), stdout=out
    )
    text = readme.read_text()
    assert "pages table" not in text and "| public guide | anonymous |" in text and table in text
