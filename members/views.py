from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig

from coordination import access
from coordination.views import get_coalition_for_user

from .filters import MembershipFilter
from .models import Agency
from .tables import MembershipTable


@login_required
def member_list(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = get_coalition_for_user(request, coalition_slug)
    memberships = coalition.memberships.select_related("agency", "primary_representative")
    filterset = MembershipFilter(request.GET, queryset=memberships)
    table = MembershipTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    template = "members/_member_table.html" if request.htmx else "members/member_list.html"
    return render(request, template, {"coalition": coalition, "filter": filterset, "table": table})


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.filter(access.agency_filter(request.user)).distinct(), pk=pk)
    coalitions = access.standing(request.user).coalitions
    return render(
        request,
        "members/agency_detail.html",
        {
            "agency": agency,
            "people": agency.people.filter(is_active=True),
            "memberships": agency.memberships.filter(coalition_id__in=coalitions).select_related(
                "coalition", "primary_representative", "alternate_representative"
            ),
            "can_change": request.user.has_perm("members.change_agency", agency),
        },
    )
