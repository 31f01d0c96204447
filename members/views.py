from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from coordination import access, second_factor
from coordination.models import Coalition, Invitation
from coordination.notifications import Topic
from coordination.pages import (
    get_coalition_for_user,
    get_committee_for_user,
    organizers_only,
    permission_required,
    post_data,
    remember_coalition,
    require,
)
from coordination.paging import per_page, slice_of
from coordination.reauth import ask_if_stale, recent_sign_in
from coordination.tables import list_page

from . import email_settings, services
from .coverage import AGENCIES_PER_PAGE, MAX_AGENCIES, STALE_PER_PAGE, active_members, coverage_for, stale_roles
from .filters import MembershipFilter
from .forms import (
    AgencyForm,
    AgencyRoleForm,
    CommitteeForm,
    ContactLineFormSet,
    ExistingAgencyForm,
    InvitationForm,
    MembershipForm,
    NewMemberForm,
    PersonForm,
    ResponseAreaForm,
)
from .history import agency_history
from .models import Agency, AgencyRole, JoinRequest, Membership, Person, ResponseArea
from .rules import agency_filter, remember_agency_coalitions, role_coalitions
from .tables import MembershipTable

# --- Loading with access checked ----------------------------------------------


def get_agency_for_user(request: HttpRequest, pk: int) -> Agency:
    """The agency, or 404 when it is not a member of any of the user's coalitions."""
    return get_object_or_404(Agency.objects.filter(agency_filter(request.user)).distinct(), pk=pk)


def get_membership_for_user(request: HttpRequest, pk: int) -> Membership:
    """The membership, or 404 when it is not in one of the user's coalitions."""
    return get_object_or_404(
        Membership.objects.select_related("agency", "coalition").filter(
            coalition_id__in=access.standing(request.user).coalitions
        ),
        pk=pk,
    )


# The agency's pages that change it: view(request, agency, ...).
changes_agency = permission_required(
    "members.change_agency",
    get_agency_for_user,
    "pk",
    message="Only the agency's own representatives, or organizers of every coalition it belongs to, can change it.",
)


# --- The member directory and the coverage matrix ----------------------------


@login_required
def member_list(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    coalition = get_coalition_for_user(request, coalition_slug)
    memberships = coalition.memberships.select_related("agency", "primary_representative")
    filterset = MembershipFilter(request.GET, queryset=memberships, coalition=coalition)
    is_organizer = request.user.has_perm("coordination.manage_coalition", coalition)
    return list_page(
        request,
        MembershipTable(filterset.qs),
        export_name=f"{coalition.slug}-members",
        template="members/member_list.html",
        partial="members/_member_table.html",
        context={
            "coalition": coalition,
            "filter": filterset,
            "is_organizer": is_organizer,
            "join_requests": (
                coalition.join_requests.filter(status=JoinRequest.Status.PENDING)
                .select_related("agency", "requested_by")
                .order_by("agency__name")
                if is_organizer
                else ()
            ),
        },
    )


@login_required
def coverage(request: HttpRequest, coalition_slug: str) -> HttpResponse:
    """Areas by active member agencies, a page of agencies at a time; each
    area's coverage, the gaps and single points counted over all of them."""
    coalition = get_coalition_for_user(request, coalition_slug)
    size = min(per_page(request, AGENCIES_PER_PAGE), MAX_AGENCIES)
    agencies = slice_of(active_members(coalition), request, "page", size)
    stale = slice_of(stale_roles(coalition), request, "stale", STALE_PER_PAGE)
    return render(
        request,
        "members/coverage.html",
        {
            "coalition": coalition,
            "coverage": coverage_for(coalition, agencies=agencies.rows, stale=stale.rows),
            "agencies": agencies,
            "stale": stale,
            "is_organizer": request.user.has_perm("coordination.manage_coalition", coalition),
        },
    )


@organizers_only
@recent_sign_in
def member_add(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    new_form = NewMemberForm(post_data(request) if request.POST.get("form") == "new" else None, prefix="new")
    existing_form = ExistingAgencyForm(
        post_data(request) if request.POST.get("form") == "existing" else None,
        coalition=coalition,
        user=request.user,
        prefix="existing",
    )
    form = new_form if request.POST.get("form") == "new" else existing_form
    if request.method == "POST" and form.is_valid():
        status, joined_on = form.cleaned_data["status"], form.cleaned_data["joined_on"]
        if form is new_form:
            agency = new_form.save(commit=False)
            services.add_member_agency(coalition, agency, status=status, joined_on=joined_on)
        else:
            agency = form.cleaned_data["agency"]
            joined = services.join_or_ask(coalition, agency, request.user, status=status, joined_on=joined_on)
            if isinstance(joined, JoinRequest):
                messages.success(
                    request,
                    f"{agency.name} is asked to join {coalition.name}. It sits at another coalition's table, so "
                    "its representatives decide; it appears among the members when they accept.",
                )
                return redirect("member_list", coalition.slug)
        messages.success(request, f"{agency.name} is now a member of {coalition.name}. Add its people and roles.")
        return redirect(agency)
    return render(
        request,
        "members/member_add.html",
        {"coalition": coalition, "new_form": new_form, "existing_form": existing_form},
    )


@login_required
@require_POST
def join_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency accepts or declines a coalition's request to join."""
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("agency", "coalition").filter(
            agency__in=Agency.objects.filter(agency_filter(request.user))
        ),
        pk=pk,
    )
    agency = join_request.agency
    require(
        request,
        "members.answer_join_request",
        agency,
        "Only the agency's own representatives, or organizers of every coalition it belongs to, can answer.",
    )
    if stale := ask_if_stale(request):
        return stale
    accept = request.POST.get("answer") == "accept"
    try:
        services.answer_join_request(join_request, request.user, accept=accept)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if accept:
            messages.success(request, f"{agency.name} is now a member of {join_request.coalition.name}.")
        else:
            messages.success(request, f"{join_request.coalition.name}'s request is declined.")
    return redirect(agency)


@login_required
@require_POST
def join_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The asking coalition's organizers take a request back."""
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("agency", "coalition").filter(
            coalition_id__in=access.standing(request.user).organizer_of
        ),
        pk=pk,
    )
    if stale := ask_if_stale(request):
        return stale
    try:
        services.withdraw_join_request(join_request, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The request to {join_request.agency.name} is withdrawn.")
    return redirect("member_list", join_request.coalition.slug)


# --- The agency page and its forms ---------------------------------------------


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_agency_for_user(request, pk)
    user = request.user
    s = access.standing(user)
    visible = s.coalitions
    # Every membership of the agency (a few), which the rules below read as
    # its coalitions; the page shows those of the user's coalitions.
    every_membership = list(
        agency.memberships.select_related("coalition", "primary_representative", "alternate_representative")
    )
    remember_agency_coalitions(agency, {m.coalition_id for m in every_membership})
    memberships = [m for m in every_membership if m.coalition_id in visible]
    roles = list(
        agency.roles.filter(response_area__coalition_id__in=visible)
        .select_related("response_area__coalition", "confirmed_by")
        .prefetch_related("lines")
    )
    scope = role_coalitions(user, agency)  # what roles_changeable_by reads, on the roles loaded already
    changeable = {role.pk for role in roles if role.response_area.coalition_id in scope}
    can_change = user.has_perm("members.change_agency", agency)
    organizes = {m.coalition_id for m in memberships if m.coalition_id in s.organizer_of}
    return render(
        request,
        "members/agency_detail.html",
        {
            "agency": agency,
            "people": agency.people.select_related("user")
            .annotate(has_factor=Exists(Authenticator.objects.filter(user_id=OuterRef("user_id"))))
            .order_by("-is_active", "full_name"),
            "memberships": memberships,
            "roles": roles,
            "changeable_roles": changeable,
            "can_change": can_change,
            "can_add_role": user.has_perm("members.add_agencyrole", agency),
            "can_invite": bool(organizes),
            "can_mark_left": user.has_perm("members.mark_person_left", Person(agency=agency)),
            "can_reset_factor": user.has_perm("members.reset_second_factor", Person(agency=agency)),
            "join_requests": (
                agency.join_requests.filter(status=JoinRequest.Status.PENDING).select_related(
                    "coalition", "requested_by"
                )
                if user.has_perm("members.answer_join_request", agency)
                else ()
            ),
            "organizes": organizes,
            "history": agency_history(agency, visible),
            "stale_count": sum(1 for role in roles if role.pk in changeable and role.is_stale),
        },
    )


@changes_agency
def agency_edit(request: HttpRequest, agency: Agency) -> HttpResponse:
    form = AgencyForm(post_data(request), instance=agency)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The agency's profile is saved.")
        return redirect(agency)
    return render(request, "members/agency_form.html", {"agency": agency, "form": form})


@login_required
@require_POST
@changes_agency
def agency_confirm(request: HttpRequest, agency: Agency) -> HttpResponse:
    count = services.confirm_agency(agency, request.user, services.roles_changeable_by(request.user, agency))
    messages.success(
        request, f"Thank you: the profile and {count} role{'s' if count != 1 else ''} are confirmed as current."
    )
    return redirect(agency)


@login_required
def role_form(request: HttpRequest, pk: int, role_pk: int | None = None) -> HttpResponse:
    agency = get_agency_for_user(request, pk)
    if role_pk is None:
        role = AgencyRole(agency=agency)
        require(
            request,
            "members.add_agencyrole",
            agency,
            "Only the agency's own representatives and the organizers of its coalitions can add roles.",
        )
    else:
        role = get_object_or_404(services.roles_changeable_by(request.user, agency), pk=role_pk)
    areas = services.editable_areas(request.user, agency)
    form = AgencyRoleForm(post_data(request), instance=role, areas=areas)
    lines = ContactLineFormSet(post_data(request), instance=role, prefix="lines")
    # Both checked, so that the role's and the lines' errors show at once.
    if request.method == "POST" and all([form.is_valid(), lines.is_valid()]):
        role = services.save_role(form, request.user, lines)
        messages.success(request, f"The role in “{role.response_area}” is saved.")
        return redirect(agency)
    return render(request, "members/role_form.html", {"agency": agency, "role": role, "form": form, "lines": lines})


@changes_agency
@recent_sign_in
def person_form(request: HttpRequest, agency: Agency, person_pk: int | None = None) -> HttpResponse:
    person = get_object_or_404(agency.people, pk=person_pk) if person_pk else Person(agency=agency)
    form = PersonForm(post_data(request), instance=person)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        messages.success(request, f"{person.full_name} is saved.")
        return redirect(agency)
    return render(request, "members/person_form.html", {"agency": agency, "person": person, "form": form})


@login_required
@require_POST
def person_invite(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    agency = get_agency_for_user(request, pk)
    person = get_object_or_404(agency.people.filter(is_active=True, user__isnull=True), pk=person_pk)
    require(request, "members.invite_person", person, "Only the coalition's organizers can invite people to log in.")
    if stale := ask_if_stale(request):
        return stale
    s = access.standing(request.user)
    coalition = Coalition.objects.filter(pk__in=s.organizer_of, memberships__agency=agency).order_by("name").first()
    if not person.email:
        messages.error(request, f"Add a work e-mail address for {person.full_name} first.")
        return redirect(agency)
    try:
        services.invite(
            coalition=coalition,
            email=person.email,
            full_name=person.full_name,
            role=Invitation.Role.MEMBER,
            agency=agency,
            invited_by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{person.full_name} is invited: an e-mail with a link to set a password is on its way."
        )
    return redirect(agency)


@login_required
@require_POST
def person_left(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Mark a person as having left the agency: access ends, e-mail stops,
    their open items are handed on (members.services.mark_left)."""
    agency = get_agency_for_user(request, pk)
    person = get_object_or_404(agency.people.filter(is_active=True).select_related("user"), pk=person_pk)
    require(
        request,
        "members.mark_person_left",
        person,
        "Only the coalition's organizers or the agency's primary representative can mark a person as having left.",
    )
    if stale := ask_if_stale(request):
        return stale
    services.mark_left(person, request.user)
    messages.success(
        request,
        f"{person.full_name} is marked as having left {agency.name}: they receive no more e-mail, their access "
        "through the agency and their calendar feed have ended, and their open action items went to their "
        "backup or the agency's primary representative (each item's log says so).",
    )
    return redirect(agency)


@login_required
@require_POST
def person_second_factor_reset(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """An organizer resets a person's second factors (a lost phone or key): they
    are told by e-mail and add a new one at their next sign-in."""
    agency = get_agency_for_user(request, pk)
    person = get_object_or_404(agency.people.filter(user__isnull=False).select_related("user"), pk=person_pk)
    require(
        request,
        "members.reset_second_factor",
        person,
        "Only the organizers of the agency's coalitions can reset a person's second factor.",
    )
    if stale := ask_if_stale(request):
        return stale
    if second_factor.reset(request, person.user):
        messages.success(
            request,
            f"{person.full_name}'s second factor is reset: they are told by e-mail, and add a new one at their "
            "next sign-in.",
        )
    else:
        messages.info(request, f"{person.full_name} has no second factor to reset.")
    return redirect(agency)


@permission_required(
    "members.change_membership",
    get_membership_for_user,
    "pk",
    message="Only the coalition's organizers can change a membership.",
)
@recent_sign_in
def membership_edit(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = MembershipForm(post_data(request), instance=membership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"The membership of {membership.agency} is saved.")
        return redirect(membership.agency)
    return render(request, "members/membership_form.html", {"membership": membership, "form": form})


# --- Response areas -------------------------------------------------------------


@login_required
def response_areas(request: HttpRequest, coalition_slug: str, area_pk: int | None = None) -> HttpResponse:
    coalition = get_coalition_for_user(request, coalition_slug)
    is_organizer = request.user.has_perm("members.manage_response_areas", coalition)
    area = get_object_or_404(coalition.response_areas, pk=area_pk) if area_pk else ResponseArea(coalition=coalition)
    if request.method == "POST":
        require(
            request,
            "members.manage_response_areas",
            coalition,
            "Only the coalition's organizers can change its response areas.",
        )
    form = ResponseAreaForm(post_data(request), instance=area) if is_organizer else None
    if form is not None and request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, f"Response area “{area.name}” saved.")
        return redirect("response_areas", coalition.slug)
    areas = coalition.response_areas.all()
    return render(
        request,
        "members/response_areas.html",
        {"coalition": coalition, "areas": areas, "form": form, "area": area, "is_organizer": is_organizer},
    )


def confirm_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link of a "please confirm" e-mail: no login needed. The
    page shows the roles; only the button confirms (mail scanners open links)."""
    from .notices import read_confirm_token

    found = read_confirm_token(token)
    person = (
        Person.objects.filter(pk=found[1], agency_id=found[0], is_active=True).select_related("agency", "user").first()
        if found
        else None
    )
    if person is None:
        return render(request, "members/confirm_expired.html", status=410)
    agency = person.agency
    roles = agency.roles.select_related("response_area__coalition").prefetch_related("lines")
    if request.method == "POST":
        services.confirm_agency(agency, person.user, roles)
        messages.success(
            request, f"Thank you, {person.full_name}: {agency.name}'s profile and roles are confirmed as current."
        )
        return redirect("confirm_by_link", token)
    return render(request, "members/confirm_by_link.html", {"agency": agency, "person": person, "roles": roles})


# --- Committees and invitations (the base holds the models; their people are ours) ---


@login_required
def committee_detail(request: HttpRequest, coalition_slug: str, slug: str) -> HttpResponse:
    committee = get_committee_for_user(request, coalition_slug, slug)
    remember_coalition(request, committee.coalition_id)
    members = committee.memberships.select_related("person__agency")
    return render(
        request,
        "members/committee_detail.html",
        {
            "committee": committee,
            "coalition": committee.coalition,
            "members": members,
            "can_change": request.user.has_perm("coordination.change_committee", committee),
        },
    )


@organizers_only
@recent_sign_in
def committee_form(request: HttpRequest, coalition: Coalition, slug: str | None = None) -> HttpResponse:
    committee = get_committee_for_user(request, coalition.slug, slug) if slug else None
    data = post_data(request)
    form = CommitteeForm(data, instance=committee, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        committee = form.save()
        messages.success(request, f"Committee “{committee.name}” saved.")
        return redirect(committee)
    return render(
        request, "members/committee_form.html", {"form": form, "coalition": coalition, "committee": committee}
    )


@organizers_only
@recent_sign_in
def invite(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    data = post_data(request)
    form = InvitationForm(data, coalition=coalition, invited_by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = form.save()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.user.email}. They will get an e-mail with a link to set a password.",
            )
            return redirect("coalition", coalition.slug)
    return render(request, "members/invite.html", {"form": form, "coalition": coalition})


TOPIC_WORDS = {
    Topic.REMINDERS: "meeting invitations and reminders, requests to confirm your agency's part, and review notices",
    Topic.DIGEST: "the daily digest of your agency's action items",
    Topic.NOTICE: "notices about your agency's work",
}


@csrf_exempt  # a mail program posts here (RFC 8058) with no form of ours: the signed link is the key
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop a kind of e-mail from the link in its List-Unsubscribe header (or
    the mail program's one-click POST), without logging in. Opening the link
    changes nothing (mail scanners open links); the button, or the one-click
    POST, does."""
    found = email_settings.read_unsubscribe(token)
    if found is None:
        return render(request, "members/unsubscribe.html", {"expired": True}, status=410)
    email, topic = found
    can_stop = topic in email_settings.OPT_OUTS
    stopped = False
    nobody = False
    if request.method == "POST" and can_stop:
        email_settings.unsubscribe(email, topic)
        # Nobody with settings at the address (it changed, or a login without a person): say so,
        # rather than "stopped" (turned off now, or before).
        nobody = not email_settings.people_at(email).exists()
        stopped = not nobody
    person = email_settings.people_at(email).order_by("-is_active", "pk").first()
    context = {
        "email": email,
        "what": TOPIC_WORDS.get(topic, "these e-mails"),
        "can_stop": can_stop,
        "stopped": stopped,
        "nobody": nobody,
        "settings_url": email_settings.settings_url(person) if person else None,
    }
    return render(request, "members/unsubscribe.html", context)
