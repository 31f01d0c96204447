"""Recording events, and delivering them to endpoints, signed.

Recording: the domain apps announce what happened (coordination.events); in
the same transaction this records the event, with the body endpoints get,
and one delivery row per endpoint of the coalition that hears it. What a
committee not open to every member does is never recorded at all.

Delivering follows the notification ledger's ways. A worker claims a row
with one conditional update only one can win, POSTs the body signed per the
Standard Webhooks specification (webhook-id, webhook-timestamp,
webhook-signature), and writes down the answer. A 2xx is delivered; anything
else (an error code, a redirect, a timeout, an address refused) is tried
again after a growing pause, for about a day, then failed. The minute's sweep
hands due rows to the broker and takes back those whose worker died. An
endpoint whose tries fail WEBHOOK_DISABLE_AFTER times in a row is disabled,
and the coalition's organizers are e-mailed through the ledger."""

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from coordination import notifications
from coordination.celery import app as celery_app
from coordination.mail import absolute_url, build_message
from coordination.models import Coalition, CoalitionRole, Committee, Notification, User
from meetings.models import Meeting
from members.models import AgencyRole
from public_site.models import Inquiry
from tasks.models import ActionItem

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent

log = logging.getLogger(__name__)
Status = WebhookDelivery.Status

# A claimed row not finished after this long belongs to a worker that died.
STALE_CLAIM = timedelta(minutes=2)
# A row handed to the broker whose task has not run after this long was lost on the way.
LOST_TASK = timedelta(minutes=5)
# How many tries each delivery remembers for the log.
KEPT_TRIES = 10
# The overdue pass looks back this many days, so a pass missed for a day still announces.
OVERDUE_LOOKBACK = 2
OVERDUE_NAMESPACE = uuid.UUID("5f0b7c1e-2f4e-4a7e-9d43-7a8a2b2c9e10")
USER_AGENT = "Roundtable-Webhooks/1"


# --- What an event says -----------------------------------------------------


def _open(committee_id: int | None) -> bool:
    """Whether what happened in this committee may leave the system: only
    what every member of the coalition may read."""
    return (
        committee_id is None or Committee.objects.filter(pk=committee_id, visibility=Committee.Visibility.OPEN).exists()
    )


def _link(path: str) -> str:
    return absolute_url(path)


def _meeting(meeting: Meeting) -> dict:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "kind": meeting.kind,
        "status": meeting.status,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "committee": meeting.committee.name if meeting.committee_id else None,
        "url": _link(meeting.get_absolute_url()),
        "api_url": _link(reverse("api:meeting", args=[meeting.pk])),
    }


def _item(item: ActionItem) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "status": item.status,
        "priority": item.get_priority_display().lower(),
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "owner_agency": {"id": item.owner_agency_id, "name": item.owner_agency.name},
        "committee": item.committee.name if item.committee_id else None,
        "meeting_id": item.meeting_id,
        "url": _link(item.get_absolute_url()),
        "api_url": _link(reverse("api:action", args=[item.pk])),
    }


def _role(role: AgencyRole) -> dict:
    return {
        "id": role.pk,
        "agency": {"id": role.agency_id, "name": role.agency.name},
        "response_area": {"id": role.response_area_id, "name": role.response_area.name},
        "capacity": role.capacity,
        "confirmed_at": role.confirmed_at.isoformat() if role.confirmed_at else None,
        "url": _link(role.agency.get_absolute_url()),
        "api_url": _link(reverse("api:role", args=[role.pk])),
    }


def _inquiry(inquiry: Inquiry) -> dict:
    # who wrote and what they wrote stay in Roundtable: the organizers read it there
    return {
        "id": inquiry.pk,
        "received_at": inquiry.created_at.isoformat(),
        "language": inquiry.language,
        "url": _link(reverse("inquiries", args=[inquiry.coalition.slug])),
    }


def data_of(name: str, subject) -> dict | None:
    """The event's data, or None when it must not leave the system (a
    committee not open to every member)."""
    if isinstance(subject, Meeting):
        if not _open(subject.committee_id):
            return None
        data = _meeting(subject)
        if name == "minutes.approved":
            data["minutes_api_url"] = _link(reverse("api:minutes", args=[subject.pk]))
        return data
    if isinstance(subject, ActionItem):
        if not _open(subject.committee_id):
            return None
        return _item(subject)
    if isinstance(subject, AgencyRole):
        return _role(subject)
    if isinstance(subject, Inquiry):
        return _inquiry(subject)
    raise TypeError(f"No webhook body for {type(subject).__name__}")


def envelope(name: str, coalition: Coalition, data: dict, at: datetime) -> dict:
    """The body every endpoint gets: Standard Webhooks' type, timestamp and data."""
    return {"type": name, "timestamp": at.isoformat(), "coalition": coalition.slug, "data": data}


# --- Recording ------------------------------------------------------------------


def hears(endpoint: WebhookEndpoint, name: str) -> bool:
    return name in endpoint.events


def record(sender, *, name: str, subject, coalition_id: int, **kwargs) -> WebhookEvent | None:
    """The receiver of coordination.events.happened: one event and a delivery
    to each active endpoint of the coalition that hears it, in the
    transaction of the change; handed to a worker once it commits."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(coalition_id=coalition_id, is_active=True).select_related(
            "coalition"
        )
        if hears(endpoint, name)
    ]
    if not endpoints:
        return None
    data = data_of(name, subject)
    if data is None:
        return None
    return _owe(name, endpoints[0].coalition, data, endpoints)


def _owe(name: str, coalition: Coalition, data: dict, endpoints: list[WebhookEndpoint], **event) -> WebhookEvent:
    now = timezone.now()
    event = WebhookEvent.objects.create(
        coalition=coalition, name=name, payload=envelope(name, coalition, data, now), created_at=now, **event
    )
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now, queued_at=now) for endpoint in endpoints
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(ids))
    return event


def send_test(endpoint: WebhookEndpoint, user: User) -> WebhookEvent:
    """An organizer's test: a `webhook.test` event to this endpoint only."""
    data = {"endpoint_id": endpoint.pk, "sent_by": user.full_name or user.email, "message": "A test from Roundtable."}
    return _owe("webhook.test", endpoint.coalition, data, [endpoint])


def announce_overdue(now: datetime | None = None) -> int:
    """Items that became overdue (their due day is past), once each: an
    event's uid comes from the item and its due date, so a second pass, or
    one an hour later, records nothing new. Run hourly by beat; set-wise, a
    few statements a coalition. Returns how many deliveries were recorded."""
    now = now or timezone.now()
    by_coalition: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(is_active=True).select_related("coalition"):
        if hears(endpoint, "action_item.overdue"):
            by_coalition.setdefault(endpoint.coalition_id, []).append(endpoint)
    recorded = 0
    for endpoints in by_coalition.values():
        coalition = endpoints[0].coalition
        today = notifications.local_today(coalition, now)
        items = (
            ActionItem.objects.open()
            .filter(coalition=coalition, due_on__lt=today, due_on__gte=today - timedelta(days=OVERDUE_LOOKBACK))
            .filter(Q(committee__isnull=True) | Q(committee__visibility=Committee.Visibility.OPEN))
            .select_related("owner_agency", "committee")
            .order_by("pk")
        )
        with transaction.atomic():
            events = {
                uuid.uuid5(OVERDUE_NAMESPACE, f"{item.pk}:{item.due_on}"): WebhookEvent(
                    uid=uuid.uuid5(OVERDUE_NAMESPACE, f"{item.pk}:{item.due_on}"),
                    coalition=coalition,
                    name="action_item.overdue",
                    payload=envelope("action_item.overdue", coalition, _item(item), now),
                    created_at=now,
                )
                for item in items
            }
            if not events:
                continue
            WebhookEvent.objects.bulk_create(events.values(), ignore_conflicts=True)
            stored = WebhookEvent.objects.filter(uid__in=list(events)).only("pk", "created_at")
            rows = [
                WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
                for event in stored
                for endpoint in endpoints
                if endpoint.created_at <= event.created_at
            ]
            before = WebhookDelivery.objects.filter(event__in=stored).count()
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            recorded += WebhookDelivery.objects.filter(event__in=stored).count() - before
    return recorded


# --- Signing and sending --------------------------------------------------------


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header: v1, and the base64 HMAC-SHA256 of
    "id.timestamp.body" keyed with the secret's bytes (after whsec_)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def body_of(event: WebhookEvent) -> bytes:
    return json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()


class RefusedAddress(Exception):
    """An endpoint whose address points inside the server's own network."""


def check_address(url: str) -> None:
    """Refuse, unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES, a URL that is not
    https or whose host resolves to a loopback, private, link-local or other
    non-public address: an endpoint must not make the server call itself or
    the machines beside it."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise RefusedAddress("Only https:// addresses are called.")
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress(f"{parts.hostname} cannot be found: {error}") from None
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global:
            raise RefusedAddress(f"{parts.hostname} is a private or local address ({ip}): not called.")


def retry_delay(attempt: int) -> int:
    """Seconds before try `attempt + 1`: WEBHOOK_RETRY_SECONDS, then four
    times as long each try (30 s, 2 min, 8 min, 32 min, 2 h, 8.5 h...),
    at most 1440 times it (12 hours): about a day in all."""
    base = settings.WEBHOOK_RETRY_SECONDS
    return min(base * 4 ** max(attempt - 1, 0), 1440 * base)


def _enqueue(ids: list[int]) -> None:
    """Hand rows to the broker; when it is down the sweep hands them later."""
    if not ids:
        return
    try:
        # by name from the Celery app (the task module imports this one)
        celery_app.tasks["webhooks.deliver"].delay(ids=ids)
    except Exception:
        log.warning("Could not queue %s webhook deliveries; the sweep will.", len(ids), exc_info=True)
        WebhookDelivery.objects.filter(pk__in=ids, status=Status.PENDING).update(queued_at=None)


def deliver(delivery_id: int) -> str:
    """Claim the row, POST it, write down the answer. Returns the row's new
    status, or "not claimed" when it is not owed now (sent, or another
    worker has it)."""
    now = timezone.now()
    token = secrets.token_hex(8)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now + timedelta(seconds=5)
    ).update(status=Status.SENDING, claimed_at=now, claimed_by=token, attempts=F("attempts") + 1)
    if not claimed:
        return "not claimed"
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.is_active:
        _finish(delivery, token, Status.FAILED, code=None, error="Not sent: the endpoint is disabled.", took=0)
        return Status.FAILED
    body = body_of(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, event.message_id, timestamp, body),
    }
    started = time.monotonic()
    code, error = None, ""
    try:
        check_address(endpoint.url)
        with requests.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            code = response.status_code
            if not 200 <= code < 300:
                answer = response.raw.read(300, decode_content=True).decode("utf-8", "replace")
                error = f"HTTP {code} {response.reason or ''}".strip()
                if 300 <= code < 400:
                    error += f" (a redirect to {response.headers.get('Location', '?')}, not followed)"
                elif answer.strip():
                    error += f": {' '.join(answer.split())[:200]}"
    except RefusedAddress as refused:
        error = str(refused)
    except requests.RequestException as failure:
        error = f"{type(failure).__name__}: {failure}"
    except Exception as failure:  # whatever else: a try that counts, not a row that loops for ever
        log.exception("Webhook delivery %s failed unexpectedly.", delivery_id)
        error = f"{type(failure).__name__}: {failure}"
    took = round((time.monotonic() - started) * 1000)
    if not error:
        _finish(delivery, token, Status.DELIVERED, code=code, error="", took=took)
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failures__gt=0).update(failures=0)
        return Status.DELIVERED
    last = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    _finish(delivery, token, Status.FAILED if last else Status.PENDING, code=code, error=error, took=took)
    _count_failure(endpoint, error)
    return Status.FAILED if last else Status.PENDING


def _finish(delivery: WebhookDelivery, token: str, status: str, *, code, error: str, took: int) -> None:
    now = timezone.now()
    tries = [{"at": now.isoformat(), "code": code, "error": error[:300], "ms": took}, *delivery.tries][:KEPT_TRIES]
    fields = {
        "status": status,
        "claimed_by": "",
        "last_attempt_at": now,
        "response_code": code,
        "last_error": error[:500],
        "tries": tries,
    }
    if status == Status.DELIVERED:
        fields["delivered_at"] = now
    elif status == Status.PENDING:
        fields.update(next_attempt_at=now + timedelta(seconds=retry_delay(delivery.attempts)), queued_at=None)
    WebhookDelivery.objects.filter(pk=delivery.pk, claimed_by=token).update(**fields)


def _count_failure(endpoint: WebhookEndpoint, error: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failures=F("failures") + 1)
    failures = WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("failures", flat=True).first()
    if failures is not None and failures >= settings.WEBHOOK_DISABLE_AFTER:  # (None: removed meanwhile)
        disable(endpoint, f"{failures} tries failed in a row; the last: {error}"[:300])


def disable(endpoint: WebhookEndpoint, reason: str) -> bool:
    """Stop calling an endpoint that keeps failing, fail what it is owed, and
    e-mail the coalition's organizers. Only the first of two workers that
    find it failing does so."""
    now = timezone.now()
    with transaction.atomic():
        if not WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason
        ):
            return False
        WebhookDelivery.objects.filter(endpoint=endpoint, status=Status.PENDING).update(
            status=Status.FAILED, last_error="Not sent: the endpoint was disabled after repeated failures."
        )
        organizers = User.objects.holding(CoalitionRole.Role.ORGANIZER, endpoint.coalition_id)
        notifications.queue_many(
            notifications.owe(
                Notification.Kind.WEBHOOK_DISABLED,
                endpoint.pk,
                organizer.email,
                period=f"{now:%Y%m%d%H%M%S}",
                user_id=organizer.pk,
                coalition_id=endpoint.coalition_id,
            )
            for organizer in organizers
        )
    log.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)
    return True


def compose_disabled(notification: Notification):
    endpoint = WebhookEndpoint.objects.select_related("coalition").filter(pk=notification.object_id).first()
    if endpoint is None or endpoint.is_active:
        return None  # deleted, or turned on again since
    context = {
        "endpoint": endpoint,
        "coalition": endpoint.coalition,
        "url": absolute_url(endpoint.get_absolute_url()),
    }
    return build_message("webhook_disabled", context, [notification.email])


# --- Second chances and the sweep ----------------------------------------------


def redeliver(rows) -> int:
    """An organizer's "Redeliver": the rows (delivered or failed) are sent
    again from the first try, with the same webhook-id, after commit."""
    now = timezone.now()
    ids = list(rows.filter(status__in=[Status.DELIVERED, Status.FAILED]).values_list("pk", flat=True)[:5000])
    WebhookDelivery.objects.filter(pk__in=ids, status__in=[Status.DELIVERED, Status.FAILED]).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, queued_at=now, claimed_by="", last_error=""
    )
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


def enable(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True, failures=0, disabled_at=None, disabled_reason=""
    )


def sweep(now: datetime | None = None) -> int:
    """The minute's work, run inside the ledger's sweep: take back rows whose
    worker died or whose task was lost, then hand every row due to the
    broker, oldest first. Returns how many were handed."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Status.PENDING, claimed_by="", queued_at=None
    )
    WebhookDelivery.objects.filter(status=Status.PENDING, queued_at__lt=now - LOST_TASK).update(queued_at=None)
    due = WebhookDelivery.objects.filter(status=Status.PENDING, queued_at__isnull=True, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:5000])
    for start in range(0, len(ids), 50):
        chunk = ids[start : start + 50]
        WebhookDelivery.objects.filter(pk__in=chunk).update(queued_at=now)
        _enqueue(chunk)
    return len(ids)
