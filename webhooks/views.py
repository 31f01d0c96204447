"""The organizers' pages of a coalition's webhooks: the endpoints, each one's
settings and secret, and its delivery log with "Redeliver"."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coordination.models import Coalition
from coordination.pages import organizers_only, post_data
from coordination.reauth import recent_sign_in
from coordination.tables import list_page

from . import delivery
from .filters import DeliveryFilter, EndpointFilter
from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint, new_secret
from .tables import DeliveryTable, EndpointTable


def _limits() -> dict:
    return {
        "timeout": settings.WEBHOOK_TIMEOUT,
        "max_attempts": settings.WEBHOOK_MAX_ATTEMPTS,
        "disable_after": settings.WEBHOOK_DISABLE_AFTER,
        "retry_seconds": settings.WEBHOOK_RETRY_SECONDS,
    }


def endpoint_of(coalition: Coalition, pk: int) -> WebhookEndpoint:
    """One of the coalition's endpoints, or 404."""
    return get_object_or_404(WebhookEndpoint.objects.select_related("coalition"), coalition=coalition, pk=pk)


@organizers_only
def webhook_list(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    filterset = EndpointFilter(
        request.GET, queryset=WebhookEndpoint.objects.filter(coalition=coalition).select_related("coalition")
    )
    return list_page(
        request,
        EndpointTable(filterset.qs),
        export_name=f"{coalition.slug}-webhooks",
        template="webhooks/list.html",
        partial="webhooks/_list_table.html",
        context={"coalition": coalition, "filter": filterset},
    )


@organizers_only
@recent_sign_in
def webhook_add(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    form = WebhookEndpointForm(post_data(request), coalition=coalition)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        endpoint = form.save()
        messages.success(
            request,
            f"The endpoint is added. Its signing secret is below: give it to the system at "
            f"{endpoint.url} so it can check that each event comes from Roundtable.",
        )
        return redirect("webhook_secret", coalition.slug, endpoint.pk)
    return render(request, "webhooks/form.html", {"coalition": coalition, "form": form, **_limits()})


@organizers_only
@recent_sign_in
def webhook_edit(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    endpoint = endpoint_of(coalition, pk)
    was_active = endpoint.is_active
    form = WebhookEndpointForm(post_data(request), instance=endpoint, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        endpoint = form.save()
        if endpoint.is_active and not was_active:
            delivery.enable(endpoint)
            messages.success(request, "The endpoint is on again. Redeliver the failed events it missed, if need be.")
        else:
            messages.success(request, "The endpoint is saved.")
        return redirect(endpoint)
    return render(
        request, "webhooks/form.html", {"coalition": coalition, "form": form, "endpoint": endpoint, **_limits()}
    )


@organizers_only
def webhook_detail(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    """The endpoint's settings and its delivery log, newest first, filtered, downloadable."""
    endpoint = endpoint_of(coalition, pk)
    filterset = DeliveryFilter(request.GET, queryset=endpoint.deliveries.select_related("event"))
    return list_page(
        request,
        DeliveryTable(
            filterset.qs,
            redeliver_url=lambda row: reverse("webhook_redeliver", args=[coalition.slug, endpoint.pk, row.pk]),
        ),
        export_name=f"{coalition.slug}-webhook-{endpoint.pk}-deliveries",
        template="webhooks/detail.html",
        partial="webhooks/_deliveries_table.html",
        context={"coalition": coalition, "endpoint": endpoint, "filter": filterset, **_limits()},
    )


@organizers_only
@recent_sign_in
def webhook_secret(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    """The signing secret, after a recent sign-in; a POST makes a new one."""
    endpoint = endpoint_of(coalition, pk)
    if request.method == "POST":
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret"])
        messages.success(request, "A new secret is made: events are signed with it from now on. Update the receiver.")
        return redirect("webhook_secret", coalition.slug, endpoint.pk)
    return render(request, "webhooks/secret.html", {"coalition": coalition, "endpoint": endpoint})


@login_required
@require_POST
@organizers_only
@recent_sign_in
def webhook_delete(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    endpoint = endpoint_of(coalition, pk)
    endpoint.delete()
    messages.success(request, f"The endpoint {endpoint.url} is removed, with its delivery log.")
    return redirect("webhooks", coalition.slug)


def _sends(request: HttpRequest, coalition: Coalition, pk: int, what: str):
    """The endpoint, or None (and a message saying what to do) when it is off."""
    endpoint = endpoint_of(coalition, pk)
    if endpoint.is_active:
        return endpoint
    messages.error(request, f"The endpoint is off: turn it on (Edit) before {what}.")
    return None


@login_required
@require_POST
@organizers_only
def webhook_test(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    if endpoint := _sends(request, coalition, pk, "sending a test"):
        delivery.send_test(endpoint, request.user)
        messages.success(request, "A webhook.test event is on its way; its line below shows how it went.")
    return redirect("webhook", coalition.slug, pk)


@login_required
@require_POST
@organizers_only
def webhook_redeliver(request: HttpRequest, coalition: Coalition, pk: int, delivery_pk: int) -> HttpResponse:
    row = get_object_or_404(WebhookDelivery, endpoint=endpoint_of(coalition, pk), pk=delivery_pk)
    if _sends(request, coalition, pk, "redelivering"):
        if delivery.redeliver(WebhookDelivery.objects.filter(pk=row.pk)):
            messages.success(request, "The event is sent again, with the same webhook-id.")
        else:
            messages.info(request, "That event is being sent already.")
    return redirect("webhook", coalition.slug, pk)


@login_required
@require_POST
@organizers_only
def webhook_redeliver_failed(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    if endpoint := _sends(request, coalition, pk, "redelivering"):
        count = delivery.redeliver(endpoint.deliveries.filter(status=WebhookDelivery.Status.FAILED))
        if count:
            messages.success(request, f"{count} failed event{'s are' if count != 1 else ' is'} sent again.")
        else:
            messages.info(request, "No failed events to send again.")
    return redirect("webhook", coalition.slug, pk)
