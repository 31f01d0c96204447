"""Prometheus metrics at /metrics (with METRICS_TOKEN as a bearer token):

- roundtable_http_requests_total{method, route, status} and
  roundtable_http_request_seconds{method, route}: every request, by its URL
  pattern's name (never its address, which may carry ids or tokens);
- roundtable_emails{status}: the ledger's messages waiting, being sent, and
  failed; roundtable_emails_sent_last_hour; roundtable_email_oldest_owed_seconds;
  roundtable_broker_queue_depth;
- roundtable_webhook_deliveries{status}: waiting and failed (the webhooks
  app adds it, through `register_collector`);
- roundtable_sweep_seconds and roundtable_sweep_age_seconds: how long the
  last minute's sweep took, and how long ago it ran.

The ledger's figures are read from the database at each scrape (every
process, worker or web, writes there), a few indexed counts. Request counts
live in each process; with METRICS_DIR set (the stack sets it for gunicorn)
prometheus_client's multiprocess mode adds up all of a container's processes."""

import hmac
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

access = logging.getLogger("roundtable.access")
REQUESTS = Counter("roundtable_http_requests", "Requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "roundtable_http_request_seconds",
    "Time to answer a request",
    ["method", "route"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class MetricsMiddleware:
    """Counts and times every request, by route name and status class."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or "unmatched"
        method = request.method if request.method in {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE"} else "other"
        took = time.perf_counter() - started
        REQUESTS.labels(method, route, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(method, route).observe(took)
        # the access log: the route's name, never the address (it may carry a token)
        access.info(
            "%s %s %s %.0f ms",
            request.method,
            route,
            response.status_code,
            took * 1000,
            extra={"route": route, "status": response.status_code, "ms": round(took * 1000)},
        )
        return response


class LedgerCollector:
    """The ledger's and the deliveries' figures, read at scrape time."""

    def collect(self):
        from .models import Heartbeat, Notification
        from .notifications import SWEEP_SECONDS, owed, queue_depth

        now = timezone.now()
        Status = Notification.Status
        by_status = dict(
            Notification.objects.filter(status__in=[Status.PENDING, Status.SENDING, Status.FAILED])
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        emails = GaugeMetricFamily("roundtable_emails", "E-mails in the ledger, by status", labels=["status"])
        for status in (Status.PENDING, Status.SENDING, Status.FAILED):
            emails.add_metric([status], by_status.get(status, 0))
        yield emails
        sent = Notification.objects.filter(status=Status.SENT, sent_at__gte=now - timedelta(hours=1)).count()
        yield GaugeMetricFamily("roundtable_emails_sent_last_hour", "E-mails sent in the last hour", value=sent)
        oldest = owed(Notification.objects.all(), now).aggregate(oldest=Min("next_attempt_at"))["oldest"]
        yield GaugeMetricFamily(
            "roundtable_email_oldest_owed_seconds",
            "How long the oldest e-mail owed has waited",
            value=(now - oldest).total_seconds() if oldest else 0,
        )
        depth = queue_depth()
        if depth is not None:
            yield GaugeMetricFamily("roundtable_broker_queue_depth", "Tasks waiting in the broker", value=depth)
        seconds = cache.get(SWEEP_SECONDS)
        if seconds is not None:
            yield GaugeMetricFamily("roundtable_sweep_seconds", "How long the last sweep took", value=seconds)
        last = Heartbeat.objects.filter(name="sweep").values_list("last_run_at", flat=True).first()
        if last is not None:
            yield GaugeMetricFamily(
                "roundtable_sweep_age_seconds", "How long ago the last sweep ran", value=(now - last).total_seconds()
            )


# Collectors the apps above add from their apps.py (the base imports none of them).
COLLECTORS: list = [LedgerCollector()]


def register_collector(collector) -> None:
    if collector not in COLLECTORS:
        COLLECTORS.append(collector)


def registry() -> CollectorRegistry:
    """This process's request metrics, or (METRICS_DIR) every process's of the
    container, and the collectors' figures."""
    registry = CollectorRegistry()
    if settings.METRICS_DIR:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    for collector in COLLECTORS:
        registry.register(collector)
    return registry


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics, for a scraper that sends `Authorization: Bearer METRICS_TOKEN`;
    without METRICS_TOKEN the address does not exist."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off: set METRICS_TOKEN.")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse("A bearer token is needed.\n", status=401, headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
