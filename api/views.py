"""The pages of API tokens: a person's own (make, see, revoke), and a
coalition's, where its organizers revoke any token of its people."""

import django_tables2 as tables
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

from . import tokens
from .filters import TokenFilter
from .forms import TokenForm
from .models import ApiToken
from .tables import TokenTable


@login_required
@recent_sign_in
def my_tokens(request: HttpRequest) -> HttpResponse:
    """The person's tokens; a new one's secret is shown on this answer only."""
    form = TokenForm(post_data(request))
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = tokens.issue(
            request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
            request=request,
        )
        messages.success(request, f"“{token.name}” is made. Copy it now: it is not shown again.")
        form = TokenForm()
    table = TokenTable(
        ApiToken.objects.filter(user=request.user),
        exclude=("user",),
        revoke_url=lambda token: reverse("api_token_revoke", args=[token.pk]),
        request=request,
    )
    tables.RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "api/my_tokens.html", {"form": form, "secret": secret, "table": table})


@login_required
@require_POST
def my_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    if tokens.revoke(token, request.user, request=request):
        messages.success(request, f"“{token.name}” is revoked: scripts that use it now get 401 Unauthorized.")
    else:
        messages.info(request, f"“{token.name}” was revoked already.")
    return redirect("api_tokens")


@organizers_only
def coalition_tokens(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    """The tokens of the coalition's people, newest first, filtered, downloadable."""
    filterset = TokenFilter(request.GET, queryset=tokens.of_coalition(coalition).select_related("user"))
    return list_page(
        request,
        TokenTable(
            filterset.qs,
            revoke_url=lambda token: reverse("coalition_token_revoke", args=[coalition.slug, token.pk]),
        ),
        export_name=f"{coalition.slug}-api-tokens",
        template="api/coalition_tokens.html",
        partial="api/_coalition_tokens_table.html",
        context={"coalition": coalition, "filter": filterset},
    )


@login_required
@require_POST
@organizers_only
def coalition_token_revoke(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    token = get_object_or_404(tokens.of_coalition(coalition).select_related("user"), pk=pk)
    if tokens.revoke(token, request.user, because=f"revoked by an organizer of {coalition}", request=request):
        messages.success(request, f"{token.user.full_name}'s token “{token.name}” is revoked; they are e-mailed.")
    else:
        messages.info(request, f"“{token.name}” was revoked already.")
    return redirect("coalition_tokens", coalition.slug)
