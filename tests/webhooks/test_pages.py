"""The organizers' journey: add an endpoint, read its secret once signed in
recently, send a test, read the delivery log, redeliver, turn a disabled
endpoint on again. Bad input is refused with a message and nothing saved."""

import pytest
from django.urls import reverse

from webhooks import delivery
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

from .receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(world):
    return world.client_for(world.organizer)


def add(client, world, **fields):
    data = {"url": "https://hooks.example.org/roundtable", "description": "County dashboard"}
    data.update(fields)
    data.setdefault("events", ["meeting.scheduled", "minutes.approved"])
    return client.post(reverse("webhook_add", args=[world.home.slug]), data)


def test_an_organizer_adds_an_endpoint_and_is_shown_its_secret(world, organizer):
    response = add(organizer, world)
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.description, endpoint.events) == (
        "https://hooks.example.org/roundtable",
        "County dashboard",
        ["meeting.scheduled", "minutes.approved"],
    )
    assert (endpoint.coalition, endpoint.created_by, endpoint.is_active) == (world.home, world.organizer, True)
    assert endpoint.secret.startswith("whsec_")
    assert response.url == reverse("webhook_secret", args=[world.home.slug, endpoint.pk])
    page = organizer.get(response.url).content.decode()
    assert endpoint.secret in page
    # the list and the endpoint's page never show it
    assert endpoint.secret not in organizer.get(reverse("webhooks", args=[world.home.slug])).content.decode()
    assert endpoint.secret not in organizer.get(endpoint.get_absolute_url()).content.decode()


def test_a_new_secret_replaces_the_old_one(world, organizer):
    add(organizer, world)
    endpoint = WebhookEndpoint.objects.get()
    old = endpoint.secret
    organizer.post(reverse("webhook_secret", args=[world.home.slug, endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"url": "not a url"}, "Enter a valid URL."),
        ({"url": "ftp://hooks.example.org/"}, "Use an https:// address"),
        ({"url": "http://hooks.example.org/"}, "Use an https:// address"),
        ({"url": "https://127.0.0.1/hook"}, "private or local address"),
        ({"url": "https://localhost:8000/hook"}, "private or local address"),
        ({"url": "https://192.168.1.10/hook"}, "private or local address"),
        ({"events": []}, "This field is required."),
        ({"events": ["meeting.exploded"]}, "Select a valid choice."),
    ],
)
def test_a_bad_endpoint_is_refused_with_a_message_and_nothing_saved(world, organizer, settings, fields, message):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = add(organizer, world, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_same_address_twice_is_refused(world, organizer):
    add(organizer, world)
    response = add(organizer, world)
    assert "registered already" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 1


def test_the_test_event_reaches_the_receiver_and_shows_in_the_log(world, organizer, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        add(organizer, world, url=receiver.url, events=["meeting.scheduled"])
        endpoint = WebhookEndpoint.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            response = organizer.post(reverse("webhook_test", args=[world.home.slug, endpoint.pk]), follow=True)
        assert "on its way" in response.content.decode()
        assert len(receiver.received) == 1
    page = organizer.get(endpoint.get_absolute_url()).content.decode()
    assert "webhook.test" in page
    assert "Delivered" in page
    assert WebhookDelivery.objects.get().event.message_id in page


def test_the_log_filters_by_status_and_event_and_downloads(world, organizer):
    endpoint = WebhookEndpoint.objects.create(coalition=world.home, url="https://h.example.org/", events=[])
    for name, status in [("meeting.scheduled", "delivered"), ("minutes.approved", "failed")]:
        event = WebhookEvent.objects.create(coalition=world.home, name=name, payload={})
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, status=status)
    url = endpoint.get_absolute_url()
    table = {"HX-Request": "true"}  # the filter form's request: the table alone
    failed = organizer.get(url, {"status": "failed"}, headers=table).content.decode()
    assert "minutes.approved" in failed and "meeting.scheduled" not in failed
    scheduled = organizer.get(url, {"event": "meeting.scheduled"}, headers=table).content.decode()
    assert "meeting.scheduled" in scheduled and "minutes.approved" not in scheduled
    bad = organizer.get(url, {"status": "exploded"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    download = organizer.get(url, {"_export": "csv"})
    body = b"".join(download.streaming_content).decode() if download.streaming else download.content.decode()
    assert "minutes.approved" in body and "meeting.scheduled" in body


def test_redeliver_sends_a_failed_event_again(world, organizer, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        endpoint = WebhookEndpoint.objects.create(coalition=world.home, url=receiver.url, events=["webhook.test"])
        delivery.send_test(endpoint, world.organizer)
        row = WebhookDelivery.objects.get()
        WebhookDelivery.objects.filter(pk=row.pk).update(status=WebhookDelivery.Status.FAILED, attempts=8)
        with django_capture_on_commit_callbacks(execute=True):
            organizer.post(reverse("webhook_redeliver", args=[world.home.slug, endpoint.pk, row.pk]))
        assert receiver.ids() == [row.event.message_id]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (WebhookDelivery.Status.DELIVERED, 1)


def test_a_disabled_endpoint_is_turned_on_again_and_its_failed_events_redelivered(
    world, organizer, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        endpoint = WebhookEndpoint.objects.create(coalition=world.home, url=receiver.url, events=["webhook.test"])
        for _ in range(2):
            delivery.send_test(endpoint, world.organizer)
        delivery.disable(endpoint, "20 tries failed in a row; the last: HTTP 500")
        page = organizer.get(endpoint.get_absolute_url()).content.decode()
        assert "Turned off on" in page and "HTTP 500" in page
        # redelivering to a disabled endpoint is refused, and says what to do
        refused = organizer.post(
            reverse("webhook_redeliver_failed", args=[world.home.slug, endpoint.pk]), follow=True
        ).content.decode()
        assert "turn it on (Edit)" in refused
        assert receiver.received == []
        edited = organizer.post(
            reverse("webhook_edit", args=[world.home.slug, endpoint.pk]),
            {"url": endpoint.url, "description": "", "events": ["meeting.scheduled"], "is_active": "on"},
        )
        assert edited.status_code == 302
        endpoint.refresh_from_db()
        assert (endpoint.is_active, endpoint.failures, endpoint.disabled_at) == (True, 0, None)
        with django_capture_on_commit_callbacks(execute=True):
            organizer.post(reverse("webhook_redeliver_failed", args=[world.home.slug, endpoint.pk]))
        assert len(receiver.received) == 2
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDelivery.Status.DELIVERED}


def test_removing_an_endpoint_removes_its_log(world, organizer):
    endpoint = WebhookEndpoint.objects.create(coalition=world.home, url="https://h.example.org/", events=[])
    delivery.send_test(endpoint, world.organizer)
    response = organizer.post(reverse("webhook_delete", args=[world.home.slug, endpoint.pk]))
    assert response.url == reverse("webhooks", args=[world.home.slug])
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


def test_an_endpoint_of_another_coalition_is_not_found(world):
    other_organizer = world.client_for(world.organizer)
    theirs = WebhookEndpoint.objects.create(coalition=world.other, url="https://h.example.org/", events=[])
    for name in ("webhook", "webhook_edit", "webhook_secret"):
        assert other_organizer.get(reverse(name, args=[world.home.slug, theirs.pk])).status_code == 404
    assert other_organizer.post(reverse("webhook_delete", args=[world.home.slug, theirs.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("rows", [1, 30])
def test_the_pages_read_a_fixed_number_of_queries(world, organizer, django_assert_max_num_queries, rows):
    for index in range(rows):
        endpoint = WebhookEndpoint.objects.create(coalition=world.home, url=f"https://h{index}.example.org/", events=[])
        delivery.send_test(endpoint, world.organizer)
    with django_assert_max_num_queries(14):
        organizer.get(reverse("webhooks", args=[world.home.slug]))
    endpoint = WebhookEndpoint.objects.first()
    for _ in range(rows):
        delivery.send_test(endpoint, world.organizer)
    with django_assert_max_num_queries(14):
        organizer.get(endpoint.get_absolute_url())
