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
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import urllib3
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
# Deliveries a task sends, one after another.
BATCH = 20


# --- What an event says -----------------------------------------------------
#
# An event keeps what it tells of (its subject), not the subject's words: the
# data is read at each send, so a title redacted by the privacy review, or a
# committee closed since, is never sent from an old copy.


# What may leave the system: only what every member of the coalition may read. A
# meeting is open when it has no committee or an open one; an item when its own
# committee is, and the meeting it came from (if any) too.
OPEN_MEETINGS = Q(committee__isnull=True) | Q(committee__visibility=Committee.Visibility.OPEN)
OPEN_ITEMS = (Q(committee__isnull=True) | Q(committee__visibility=Committee.Visibility.OPEN)) & (
    Q(meeting__isnull=True)
    | Q(meeting__committee__isnull=True)
    | Q(meeting__committee__visibility=Committee.Visibility.OPEN)
)


def _link(path: str) -> str:
    return absolute_url(path)


def _meeting(meeting: Meeting, name: str) -> dict:
    data = {
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
    if name == "minutes.approved":
        data["minutes_api_url"] = _link(reverse("api:minutes", args=[meeting.pk]))
    return data


def _item(item: ActionItem, name: str) -> dict:
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


def _role(role: AgencyRole, name: str) -> dict:
    return {
        "id": role.pk,
        "agency": {"id": role.agency_id, "name": role.agency.name},
        "response_area": {"id": role.response_area_id, "name": role.response_area.name},
        "capacity": role.capacity,
        "confirmed_at": role.confirmed_at.isoformat() if role.confirmed_at else None,
        "url": _link(role.agency.get_absolute_url()),
        "api_url": _link(reverse("api:role", args=[role.pk])),
    }


def _inquiry(inquiry: Inquiry, name: str) -> dict:
    # who wrote and what they wrote stay in Roundtable: the organizers read it there
    return {
        "id": inquiry.pk,
        "received_at": inquiry.created_at.isoformat(),
        "language": inquiry.language,
        "url": _link(reverse("inquiries", args=[inquiry.coalition.slug])),
    }


@dataclass(frozen=True)
class Subject:
    """A kind of thing events tell of: how to load it open (None when it may
    not leave the system) and what its data says."""

    model: type
    load: Callable[[int], object | None]
    data: Callable[[object, str], dict]


SUBJECTS: dict[str, Subject] = {
    "meeting": Subject(
        Meeting,
        lambda pk: (
            Meeting.objects.select_related("committee")
            .filter(pk=pk)
            .filter(Q(committee__isnull=True) | Q(committee__visibility=Committee.Visibility.OPEN))
            .first()
        ),
        _meeting,
    ),
    "item": Subject(
        ActionItem,
        lambda pk: (
            ActionItem.objects.select_related("committee", "owner_agency").filter(OPEN_ITEMS, pk=pk).distinct().first()
        ),
        _item,
    ),
    "role": Subject(
        AgencyRole,
        lambda pk: AgencyRole.objects.select_related("agency", "response_area").filter(pk=pk).first(),
        _role,
    ),
    "inquiry": Subject(Inquiry, lambda pk: Inquiry.objects.select_related("coalition").filter(pk=pk).first(), _inquiry),
}
SUBJECT_TYPES = {subject.model: key for key, subject in SUBJECTS.items()}


OPEN = {Meeting: OPEN_MEETINGS, ActionItem: OPEN_ITEMS}


def is_open(subject) -> bool:
    """Whether what happened to this row may leave the system (one query, by the rule its sends use)."""
    rule = OPEN.get(type(subject))
    return rule is None or type(subject).objects.filter(rule, pk=subject.pk).exists()


class Closed(Exception):
    """What an event tells of may no longer leave the system."""


def body(event: WebhookEvent) -> dict:
    """The message as sent now: the event's envelope, and its subject's data
    read afresh (a subject deleted since is named by its id alone)."""
    if not event.subject_type:
        return event.payload  # a test: its data is its own
    subject = SUBJECTS[event.subject_type]
    row = subject.load(event.subject_id)
    if row is None:
        if subject.model.objects.filter(pk=event.subject_id).exists():
            raise Closed("Not sent: what it tells of is no longer open to every member.")
        return {**event.payload, "data": {"id": event.subject_id, "deleted": True}}
    return {**event.payload, "data": subject.data(row, event.name)}


def envelope(name: str, coalition: Coalition, at: datetime) -> dict:
    """Standard Webhooks' type and timestamp, and the coalition's slug."""
    return {"type": name, "timestamp": at.isoformat(), "coalition": coalition.slug}


# --- Recording ------------------------------------------------------------------


def hears(endpoint: WebhookEndpoint, name: str) -> bool:
    return name in endpoint.events


def record(sender, *, name: str, subject, coalition_id: int, **kwargs) -> WebhookEvent | None:
    """The receiver of coordination.events.happened: one event and a delivery
    to each active endpoint of the coalition that hears it, in the
    transaction of the change; handed to a worker once it commits. A fault
    here is logged, never the user's change undone."""
    try:
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(coalition_id=coalition_id, is_active=True).select_related(
                "coalition"
            )
            if hears(endpoint, name)
        ]
        if not endpoints:
            return None
        with transaction.atomic():
            if not is_open(subject):
                return None
            return _owe(
                name,
                endpoints[0].coalition,
                endpoints,
                subject_type=SUBJECT_TYPES[type(subject)],
                subject_id=subject.pk,
            )
    except Exception:
        log.exception("Could not record the webhook event %s of %s %s.", name, type(subject).__name__, subject.pk)
        return None


def _owe(name: str, coalition: Coalition, endpoints: list[WebhookEndpoint], **event) -> WebhookEvent:
    now = timezone.now()
    payload = {**envelope(name, coalition, now), **event.pop("payload", {})}
    event = WebhookEvent.objects.create(coalition=coalition, name=name, payload=payload, created_at=now, **event)
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now, queued_at=now) for endpoint in endpoints
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(ids))
    return event


def send_test(endpoint: WebhookEndpoint, user: User) -> WebhookEvent:
    """An organizer's test: a `webhook.test` event to this endpoint only."""
    data = {"endpoint_id": endpoint.pk, "sent_by": user.full_name or user.email, "message": "A test from Roundtable."}
    return _owe("webhook.test", endpoint.coalition, [endpoint], payload={"data": data})


def announce_overdue(now: datetime | None = None) -> int:
    """Items that became overdue (their due day is past), once each: an
    event's uid comes from the item and its due date, so a second pass, or
    one an hour later, records nothing new, and only a new event gets
    deliveries (to the endpoints that hear it now). Run hourly by beat;
    set-wise, a few statements a coalition. Returns how many deliveries were
    recorded."""
    now = now or timezone.now()
    by_coalition: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(is_active=True).select_related("coalition"):
        if hears(endpoint, "action_item.overdue"):
            by_coalition.setdefault(endpoint.coalition_id, []).append(endpoint)
    recorded = 0
    for endpoints in by_coalition.values():
        coalition = endpoints[0].coalition
        today = notifications.local_today(coalition, now)
        due = (
            ActionItem.objects.open()
            .filter(
                OPEN_ITEMS, coalition=coalition, due_on__lt=today, due_on__gte=today - timedelta(days=OVERDUE_LOOKBACK)
            )
            .values_list("pk", "due_on")
            .distinct()
        )
        uids = {uuid.uuid5(OVERDUE_NAMESPACE, f"{pk}:{due_on}"): pk for pk, due_on in due}
        if not uids:
            continue
        with transaction.atomic():
            known = set(WebhookEvent.objects.filter(uid__in=list(uids)).values_list("uid", flat=True))
            new = [
                WebhookEvent(
                    uid=uid,
                    coalition=coalition,
                    name="action_item.overdue",
                    subject_type="item",
                    subject_id=pk,
                    payload=envelope("action_item.overdue", coalition, now),
                    created_at=now,
                )
                for uid, pk in uids.items()
                if uid not in known
            ]
            WebhookEvent.objects.bulk_create(new, ignore_conflicts=True)
            events = WebhookEvent.objects.filter(uid__in=[event.uid for event in new]).only("pk")
            rows = [
                WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
                for event in events
                for endpoint in endpoints
            ]
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            recorded += len(rows)
    return recorded


# --- Signing and sending --------------------------------------------------------


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header: v1, and the base64 HMAC-SHA256 of
    "id.timestamp.body" keyed with the secret's bytes (after whsec_)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class RefusedAddress(Exception):
    """An endpoint whose address points inside the server's own network."""


# Public-looking IPv6 ranges that reach IPv4 addresses (NAT64, IPv4-compatible, 6to4).
TUNNELS = [ipaddress.ip_network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "2002::/16")]


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _public(ip.ipv4_mapped)
        if any(ip in net for net in TUNNELS):
            return False
    return ip.is_global and not ip.is_multicast


def resolve(url: str) -> str:
    """The address to connect to: the host's first, once every address it
    resolves to is checked. Unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES, a URL
    that is not https, or a host with any loopback, private, link-local or
    otherwise non-public address, is refused: an endpoint must not make the
    server call itself or the machines beside it. The connection then goes to
    this very address (the name is only for TLS), so a second lookup cannot
    answer differently."""
    parts = urlsplit(url)
    allow = settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES
    if parts.scheme != "https" and not allow:
        raise RefusedAddress("Only https:// addresses are called.")
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise RefusedAddress(f"{parts.hostname} cannot be found.") from None
    addresses = [ipaddress.ip_address(address[0].split("%")[0]) for *_, address in found]
    if not allow and not all(_public(ip) for ip in addresses):
        raise RefusedAddress(f"{parts.hostname} is a private or local address: not called.")
    return str(addresses[0])


def _connection(url: str, address: str):
    parts = urlsplit(url)
    timeout = float(settings.WEBHOOK_TIMEOUT)
    if parts.scheme == "https":
        return urllib3.connection.HTTPSConnection(
            address,
            parts.port or 443,
            timeout=timeout,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.connection.HTTPConnection(address, parts.port or 80, timeout=timeout)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST once, within WEBHOOK_TIMEOUT in all (the lookup, the connection,
    the answer however slowly it trickles): the answer's code and, unless it
    is a 2xx, what went wrong in words that name nothing of the server's own
    network."""
    outcome: dict = {}
    held: dict = {}

    def attempt() -> None:
        try:
            connection = held["connection"] = _connection(url, resolve(url))
            parts = urlsplit(url)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request(
                "POST", path, body=body, headers={**headers, "Host": parts.netloc}, preload_content=False
            )
            response = connection.getresponse()
            outcome["code"], outcome["reason"] = response.status, response.reason
            outcome["location"] = response.headers.get("Location", "")
            outcome["answer"] = response.read(300, decode_content=False).decode("utf-8", "replace")
        except RefusedAddress as refused:
            outcome["error"] = str(refused)
        except ssl.SSLError:
            outcome["error"] = "The TLS handshake failed (is the certificate valid for this name?)."
        except (TimeoutError, urllib3.exceptions.TimeoutError):
            outcome["error"] = f"No answer within {settings.WEBHOOK_TIMEOUT} s."
        except OSError:
            outcome["error"] = "Could not connect, or the connection was closed before an answer."
        except Exception as failure:  # whatever else: a try that counts, not a row that loops for ever
            log.exception("A webhook POST to %s failed unexpectedly.", url)
            outcome["error"] = f"{type(failure).__name__}: the request could not be made."
        finally:
            if connection := held.get("connection"):
                connection.close()

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(settings.WEBHOOK_TIMEOUT)
    if worker.is_alive():  # still trickling: cut it off
        if connection := held.get("connection"):
            connection.close()
        worker.join(2)
        return outcome.get("code"), f"No whole answer within {settings.WEBHOOK_TIMEOUT} s."
    if "error" in outcome:
        return None, outcome["error"]
    code = outcome["code"]
    if 200 <= code < 300:
        return code, ""
    error = f"HTTP {code} {outcome['reason'] or ''}".strip()
    if 300 <= code < 400:
        return code, f"{error} (a redirect to {outcome['location'] or '?'}, not followed)"
    answer = " ".join(outcome["answer"].split())[:200]
    return code, f"{error}: {answer}" if answer else error


def retry_delay(attempt: int) -> int:
    """Seconds before try `attempt + 1`: WEBHOOK_RETRY_SECONDS, then four
    times as long each try (30 s, 2 min, 8 min, 32 min, 2 h, 8.5 h...),
    at most 1440 times it (12 hours): about a day in all."""
    base = settings.WEBHOOK_RETRY_SECONDS
    return min(base * 4 ** max(attempt - 1, 0), 1440 * base)


def _enqueue(ids: list[int]) -> bool:
    """Hand rows to the broker, a batch a task. When it is down the rows are
    left for the sweep, and False says so."""
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        try:
            # by name from the Celery app (the task module imports this one)
            celery_app.tasks["webhooks.deliver"].delay(ids=chunk)
        except Exception:
            log.warning("Could not queue %s webhook deliveries; the sweep will.", len(ids) - start, exc_info=True)
            WebhookDelivery.objects.filter(pk__in=ids[start:], status=Status.PENDING).update(queued_at=None)
            return False
    return True


def deliver_batch(ids: list[int]) -> dict[int, str]:
    """A task's rows, one after another. An endpoint that gave no answer is
    not tried again in the same batch: its other rows go back untried, so
    one dead endpoint holds a worker for one timeout, not one per event."""
    outcomes: dict[int, str] = {}
    silent: set[int] = set()
    for delivery_id in ids:
        try:
            outcomes[delivery_id] = deliver(delivery_id, skip=silent)
        except Exception:
            log.exception("Webhook delivery %s failed.", delivery_id)
            outcomes[delivery_id] = "error"
    return outcomes


def deliver(delivery_id: int, skip: set[int] | None = None) -> str:
    """Claim the row, POST it, write down the answer. Returns the row's new
    status, or "not claimed" when it is not owed now (sent, or another
    worker has it), or "held" when its endpoint is in `skip` (it gave no
    answer earlier in this batch; endpoints that give none are added)."""
    now = timezone.now()
    row = WebhookDelivery.objects.filter(pk=delivery_id).values("endpoint_id").first()
    if row is None:
        return "not claimed"
    if skip is not None and row["endpoint_id"] in skip:
        WebhookDelivery.objects.filter(pk=delivery_id, status=Status.PENDING).update(queued_at=None)
        return "held"
    token = secrets.token_hex(8)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now + timedelta(seconds=5)
    ).update(status=Status.SENDING, claimed_at=now, claimed_by=token, attempts=F("attempts") + 1)
    if not claimed:
        return "not claimed"
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    if delivery is None:  # its endpoint was removed meanwhile
        return "not claimed"
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.is_active:
        _finish(delivery, token, Status.FAILED, code=None, error="Not sent: the endpoint is disabled.", took=0)
        return Status.FAILED
    try:
        payload = body(event)
    except Closed as closed:
        _finish(delivery, token, Status.FAILED, code=None, error=str(closed), took=0)
        return Status.FAILED
    data = encode(payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, event.message_id, timestamp, data),
    }
    started = time.monotonic()
    code, error = post(endpoint.url, data, headers)
    took = round((time.monotonic() - started) * 1000)
    if not error:
        _finish(delivery, token, Status.DELIVERED, code=code, error="", took=took)
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failures__gt=0).update(failures=0)
        return Status.DELIVERED
    if code is None and skip is not None:
        skip.add(endpoint.pk)
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
    worker died, and those whose task was lost (only when the broker's queue
    is empty: while a backlog drains, their task is most likely still in it),
    then hand every row due to the broker, oldest first, stopping at the
    first refusal. Returns how many were handed."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Status.PENDING, claimed_by="", queued_at=None
    )
    lost = WebhookDelivery.objects.filter(status=Status.PENDING, queued_at__lt=now - LOST_TASK)
    if lost.exists() and notifications.queue_depth() == 0:
        lost.update(queued_at=None)
    due = WebhookDelivery.objects.filter(status=Status.PENDING, queued_at__isnull=True, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:5000])
    handed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        WebhookDelivery.objects.filter(pk__in=chunk).update(queued_at=now)
        if not _enqueue(chunk):
            break
        handed += len(chunk)
    return handed


class DeliveryCollector:
    """roundtable_webhook_deliveries{status}: waiting and failed, for /metrics."""

    def collect(self):
        from django.db.models import Count
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "roundtable_webhook_deliveries", "Webhook deliveries waiting or failed", labels=["status"]
        )
        counts = dict(
            WebhookDelivery.objects.filter(status__in=[Status.PENDING, Status.FAILED])
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        for status in (Status.PENDING, Status.FAILED):
            family.add_metric([status], counts.get(status, 0))
        yield family
