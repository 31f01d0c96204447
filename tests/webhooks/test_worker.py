"""The whole path with real parts: an organizer's change on the page, a real
Celery worker on real Redis, the ledger's sweeps running three at once, and a
real HTTP receiver that fails and then recovers. The receiver verifies every
request with the Standard Webhooks library and gets the event exactly once
as a success, however many tries it took."""

import time

import pytest
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from tasks.models import ActionItem
from webhooks.models import WebhookDelivery, WebhookEndpoint

from ..conftest import running_worker, sweeping, wait_for
from .receiver import Receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(redis_url, tmp_path, smtp_server):
    with running_worker(redis_url, smtp_server.port, tmp_path, WEBHOOK_RETRY_SECONDS="1") as process:
        yield process


def test_a_receiver_that_fails_then_recovers_gets_each_event_once_signed(world, worker, settings):
    settings.WEBHOOK_RETRY_SECONDS = 1
    with Receiver(answers=[500, 502, 500]) as receiver:
        endpoint = WebhookEndpoint.objects.create(
            coalition=world.home, url=receiver.url, events=["action_item.created", "action_item.closed"]
        )
        organizer = world.client_for(world.organizer)
        for title in ("Train front desks", "Print the hotline cards"):
            response = organizer.post(
                reverse("action_create", args=[world.home.slug]),
                {"title": title, "owner_agency": world.member_agency.pk, "priority": 2},
            )
            assert response.status_code == 302
        with sweeping():

            def all_delivered():
                statuses = list(WebhookDelivery.objects.values_list("status", flat=True))
                return len(statuses) == 2 and set(statuses) == {WebhookDelivery.Status.DELIVERED}

            wait_for(all_delivered, timeout=60, log=worker.log_path)
            time.sleep(3)  # sweeps go on: a delivered event must not go again
        received = list(receiver.received)

    verifier = Webhook(endpoint.secret)
    payloads = [verifier.verify(request.body, request.headers) for request in received]
    assert len(received) == 5  # three failed tries, then one success for each item
    ids = [request.headers["webhook-id"] for request in received]
    assert len(set(ids)) == 2
    titles = {payload["data"]["id"]: payload["data"]["title"] for payload in payloads}
    assert sorted(titles.values()) == ["Print the hotline cards", "Train front desks"]
    assert set(titles) == set(ActionItem.objects.values_list("pk", flat=True))
    assert {payload["type"] for payload in payloads} == {"action_item.created"}
    # every try of one event carries the same id and the same body
    for message_id in set(ids):
        bodies = {request.body for request in received if request.headers["webhook-id"] == message_id}
        assert len(bodies) == 1
    assert sum(WebhookDelivery.objects.values_list("attempts", flat=True)) == 5
    endpoint.refresh_from_db()
    assert endpoint.failures == 0 and endpoint.is_active
