"""The pages of a download written by a worker: its progress, and the file.
Only the person who asked for it sees either; anyone else gets a 404, as for
a page that is not there."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from . import reauth
from .exports import CONTENT_TYPES
from .models import Export


def get_export_for_user(request: HttpRequest, coalition_slug: str, pk: int) -> Export:
    """The export, or 404 unless the user asked for it."""
    return get_object_or_404(
        Export.objects.select_related("coalition"),
        requested_by=request.user,
        coalition__slug=coalition_slug,
        pk=pk,
    )


@login_required
@require_GET
def export_progress(request: HttpRequest, coalition_slug: str, pk: int) -> HttpResponse:
    """Rows written so far; htmx asks again every two seconds until it is done or failed."""
    export = get_export_for_user(request, coalition_slug, pk)
    template = "coordination/export.html#progress" if request.htmx else "coordination/export.html"
    return render(request, template, {"export": export, "coalition": export.coalition})


@login_required
@require_GET
def export_download(request: HttpRequest, coalition_slug: str, pk: int) -> HttpResponse:
    export = get_export_for_user(request, coalition_slug, pk)
    if export.status != Export.Status.DONE:
        return redirect(export)
    # a download written while the sign-in was recent is fetched under the same rule
    if stale := reauth.ask_if_stale(request):
        return stale
    if export.is_expired or not export.file.storage.exists(export.file.name):
        return render(request, "coordination/export_gone.html", {"export": export}, status=410)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"{export.filename}.{export.format}",
        content_type=CONTENT_TYPES[export.format],
    )
