"""Delivering to a real HTTP receiver on loopback, in this process: signed so
the Standard Webhooks library accepts it, tried again after failures, never
sent twice once delivered, disabled (and the organizers told) when it keeps
failing, and never sent where the server should not reach."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from coordination import notifications
from coordination.models import Notification
from webhooks import delivery
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .receiver import Receiver

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


@pytest.fixture
def hook(world):
    with Receiver() as receiver:
        receiver.endpoint = WebhookEndpoint.objects.create(
            coalition=world.home, url=receiver.url, events=["webhook.test", "action_item.created"]
        )
        yield receiver


def owed(world, hook) -> WebhookDelivery:
    delivery.send_test(hook.endpoint, world.organizer)
    return WebhookDelivery.objects.get(endpoint=hook.endpoint)


def due_now(row: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_a_delivery_is_signed_so_a_standard_webhooks_receiver_accepts_it(world, hook):
    row = owed(world, hook)
    assert delivery.deliver(row.pk) == Status.DELIVERED
    (request,) = hook.received
    payload = Webhook(hook.endpoint.secret).verify(request.body, request.headers)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["endpoint_id"] == hook.endpoint.pk
    assert request.headers["webhook-id"] == row.event.message_id
    assert request.headers["Content-Type"] == "application/json"
    # signed with this endpoint's secret, not any other
    with pytest.raises(WebhookVerificationError):
        Webhook(WebhookEndpoint(coalition=world.home).secret).verify(request.body, request.headers)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code, row.last_error) == (Status.DELIVERED, 1, 200, "")
    assert row.delivered_at is not None


def test_a_failing_receiver_is_tried_again_later_then_delivered_once_with_the_same_id(world, hook, settings):
    settings.WEBHOOK_RETRY_SECONDS = 30
    hook.answers = [500, 503]
    row = owed(world, hook)
    before = timezone.now()
    assert delivery.deliver(row.pk) == Status.PENDING
    row.refresh_from_db()
    assert row.status == Status.PENDING
    assert row.response_code == 500
    assert "HTTP 500" in row.last_error and "receiver says no" in row.last_error
    assert before + timedelta(seconds=29) < row.next_attempt_at < timezone.now() + timedelta(seconds=31)
    # not due yet: nobody sends it
    assert delivery.deliver(row.pk) == "not claimed"
    due_now(row)
    assert delivery.deliver(row.pk) == Status.PENDING
    row.refresh_from_db()
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=110)  # four times as long
    due_now(row)
    assert delivery.deliver(row.pk) == Status.DELIVERED
    due_now(row)
    assert delivery.deliver(row.pk) == "not claimed"
    assert len(set(hook.ids())) == 1 and len(hook.ids()) == 3
    row.refresh_from_db()
    assert row.attempts == 3
    assert [attempt["code"] for attempt in row.tries] == [200, 503, 500]
    hook.endpoint.refresh_from_db()
    assert hook.endpoint.failures == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_delivery_send_it_once(world, hook):
    row = owed(world, hook)  # (sent at once: outside a test's transaction, commit is now)
    assert len(hook.received) == 1
    WebhookDelivery.objects.filter(pk=row.pk).update(status=Status.PENDING)
    hook.received.clear()
    outcomes = []
    start = threading.Barrier(2)

    def work():
        from django.db import connection

        try:
            start.wait()
            outcomes.append(delivery.deliver(row.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == sorted([Status.DELIVERED, "not claimed"])
    assert len(hook.received) == 1


def test_retries_are_spent_after_the_last_try(world, hook, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    hook.answers = [500, 500, 500, 500]
    row = owed(world, hook)
    for _ in range(3):
        due_now(row)
        delivery.deliver(row.pk)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    due_now(row)
    assert delivery.deliver(row.pk) == "not claimed"
    assert len(hook.received) == 3


def test_a_redirect_is_a_failure_and_is_not_followed(world, hook):
    hook.answers = [302]
    row = owed(world, hook)
    delivery.deliver(row.pk)
    row.refresh_from_db()
    assert row.status == Status.PENDING
    assert "redirect" in row.last_error and "not followed" in row.last_error
    assert len(hook.received) == 1


def test_a_receiver_that_does_not_answer_in_time_is_a_failure(world, settings):
    import socket

    settings.WEBHOOK_TIMEOUT = 1
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint = WebhookEndpoint.objects.create(
            coalition=world.home, url=f"http://127.0.0.1:{silent.getsockname()[1]}/", events=["webhook.test"]
        )
        delivery.send_test(endpoint, world.organizer)
        row = WebhookDelivery.objects.get()
        assert delivery.deliver(row.pk) == Status.PENDING
    row.refresh_from_db()
    assert "answer within 1 s" in row.last_error
    assert row.response_code is None


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "http://hooks.example.org/hook",
    ],
)
def test_private_local_and_plain_http_addresses_are_never_called(world, hook, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    WebhookEndpoint.objects.filter(pk=hook.endpoint.pk).update(url=url)
    row = owed(world, hook)
    assert delivery.deliver(row.pk) == Status.PENDING
    row.refresh_from_db()
    assert "not called" in row.last_error or "Only https" in row.last_error
    assert hook.received == []


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_organizers_are_told(world, hook, settings):
    settings.WEBHOOK_DISABLE_AFTER = 3
    hook.answers = [500] * 10
    first, second = owed(world, hook), None
    delivery.send_test(hook.endpoint, world.organizer)
    second = WebhookDelivery.objects.exclude(pk=first.pk).get()
    delivery.deliver(first.pk)
    delivery.deliver(second.pk)
    hook.endpoint.refresh_from_db()
    assert hook.endpoint.is_active and hook.endpoint.failures == 2
    due_now(first)
    delivery.deliver(first.pk)
    hook.endpoint.refresh_from_db()
    assert not hook.endpoint.is_active
    assert hook.endpoint.disabled_at is not None
    assert "3 tries failed in a row" in hook.endpoint.disabled_reason
    # what it was owed is failed, not sent to a dead endpoint
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {Status.FAILED}
    due_now(second)
    assert delivery.deliver(second.pk) == "not claimed"
    assert len(hook.received) == 3
    # the organizers, and only they, are e-mailed through the ledger
    rows = Notification.objects.filter(kind=Notification.Kind.WEBHOOK_DISABLED)
    assert list(rows.values_list("email", flat=True)) == [world.organizer.email]
    assert notifications.deliver(rows.get().pk) == notifications.Outcome.SENT
    (message,) = mail.outbox
    assert "turned off" in message.subject
    assert hook.endpoint.url in message.body
    assert hook.endpoint.get_absolute_url() in message.body
    # a second disabling of the same endpoint (another worker) tells no one again
    assert delivery.disable(hook.endpoint, "again") is False
    assert rows.count() == 1


def test_a_redelivery_sends_the_same_message_again_from_the_first_try(world, hook, django_capture_on_commit_callbacks):
    row = owed(world, hook)
    delivery.deliver(row.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.redeliver(WebhookDelivery.objects.filter(pk=row.pk)) == 1
    row.refresh_from_db()
    assert row.status == Status.DELIVERED
    assert row.attempts == 1
    assert hook.ids() == [row.event.message_id] * 2
    assert hook.received[0].body == hook.received[1].body


def test_the_sweep_hands_due_rows_to_workers_and_takes_back_those_of_a_dead_worker(world, hook):
    row = owed(world, hook)
    # a worker claimed it and died
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_by="dead", claimed_at=timezone.now() - timedelta(minutes=5), queued_at=None
    )
    assert notifications.sweep()["queued"] >= 1  # the ledger's sweep runs the webhooks' (tasks run inline here)
    row.refresh_from_db()
    assert row.status == Status.DELIVERED
    assert len(hook.received) == 1


def test_an_event_recorded_when_the_broker_is_down_is_sent_by_the_sweep(world, hook, monkeypatch):
    from coordination import celery_app

    def broker_down(**kwargs):
        raise ConnectionError("Redis is away")

    monkeypatch.setattr(celery_app.tasks["webhooks.deliver"], "delay", broker_down)
    row = owed(world, hook)
    delivery._enqueue([row.pk])
    row.refresh_from_db()
    assert row.queued_at is None and row.status == Status.PENDING
    monkeypatch.undo()
    delivery.sweep()
    row.refresh_from_db()
    assert row.status == Status.DELIVERED


def test_what_is_sent_is_read_at_each_send_so_a_redaction_or_a_closed_committee_holds(world, hook):
    from tasks import services as task_services
    from tasks.models import ActionItem

    task_services.create_item(
        created_by=world.lead,
        coalition=world.home,
        committee=world.open_committee,
        title="Call Jane Roe back",
        owner_agency=world.member_agency,
    )
    row = WebhookDelivery.objects.get()
    assert "Jane" not in str(row.event.payload)  # no copy of the words is kept
    ActionItem.objects.update(title="Call [removed] back")  # the privacy review's redaction
    hook.answers = [500]
    delivery.deliver(row.pk)
    due_now(row)
    delivery.deliver(row.pk)
    sent = [Webhook(hook.endpoint.secret).verify(r.body, r.headers)["data"]["title"] for r in hook.received]
    assert sent == ["Call [removed] back"] * 2
    # the committee closed since: a redelivery is refused, nothing sent
    world.open_committee.visibility = world.open_committee.Visibility.RESTRICTED
    world.open_committee.save()
    delivery.redeliver(WebhookDelivery.objects.all())
    assert delivery.deliver(row.pk) == Status.FAILED
    row.refresh_from_db()
    assert "no longer open" in row.last_error
    assert len(hook.received) == 2


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_limit(world, settings):
    import socket
    import time as clock

    settings.WEBHOOK_TIMEOUT = 2
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        stop = threading.Event()

        def trickle():
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.is_set():  # a header line each second: never a whole answer
                    try:
                        connection.sendall(b"X-Wait: 1\r\n")
                    except OSError:
                        return
                    stop.wait(1)

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        endpoint = WebhookEndpoint.objects.create(
            coalition=world.home, url=f"http://127.0.0.1:{server.getsockname()[1]}/", events=[]
        )
        delivery.send_test(endpoint, world.organizer)
        started = clock.monotonic()
        assert delivery.deliver(WebhookDelivery.objects.get().pk) == Status.PENDING
        assert clock.monotonic() - started < 5
        stop.set()
    assert "No whole answer within 2 s" in WebhookDelivery.objects.get().last_error


def test_a_batch_tries_a_silent_endpoint_once_and_holds_its_other_rows(world, hook, settings):
    import socket

    settings.WEBHOOK_TIMEOUT = 1
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        dead = WebhookEndpoint.objects.create(
            coalition=world.home, url=f"http://127.0.0.1:{silent.getsockname()[1]}/", events=[]
        )
        for _ in range(3):
            delivery.send_test(dead, world.organizer)
        delivery.send_test(hook.endpoint, world.organizer)
        ids = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))
        outcomes = delivery.deliver_batch(ids)
    assert list(outcomes.values()) == [Status.PENDING, "held", "held", Status.DELIVERED]
    held = WebhookDelivery.objects.filter(pk__in=ids[1:3])
    assert set(held.values_list("status", "attempts", "queued_at")) == {(Status.PENDING, 0, None)}


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a9fe:a9fe", "::127.0.0.1", "::ffff:10.0.0.1", "2002:a00:1::1", "fe80::1", "fd00::1", "224.0.0.1"],
)
def test_addresses_that_reach_a_private_network_another_way_are_not_public(address):
    import ipaddress

    assert not delivery._public(ipaddress.ip_address(address))


def test_a_public_address_is_public():
    import ipaddress

    assert delivery._public(ipaddress.ip_address("93.184.216.34"))
    assert delivery._public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))
