"""Operations on agencies, their roles and their people that change several
rows at once, inviting a person included."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coordination import events, notifications
from coordination.models import Coalition, CoalitionRole, Invitation, Notification, User

from .models import (
    DEFAULT_RESPONSE_AREAS,
    DEFAULT_RESPONSE_AREAS_ES,
    Agency,
    JoinRequest,
    Membership,
    Person,
    ResponseArea,
)
from .rules import governs_agency, role_coalitions, role_filter


def ensure_default_response_areas(coalition: Coalition) -> int:
    """Give a coalition without response areas the default list. Returns how many were made."""
    if coalition.response_areas.exists():
        return 0
    created = ResponseArea.objects.bulk_create(
        ResponseArea(coalition=coalition, name=name, name_es=DEFAULT_RESPONSE_AREAS_ES[name], position=(i + 1) * 10)
        for i, name in enumerate(DEFAULT_RESPONSE_AREAS)
    )
    return len(created)


@transaction.atomic
def confirm_agency(agency: Agency, user, roles) -> int:
    """One click: the representative says the profile and these roles are still
    right. Each confirmed row gets a history entry saying who and when."""
    now = timezone.now()
    agency.confirmed_at, agency.confirmed_by = now, user
    agency.save(update_fields=["confirmed_at", "confirmed_by", "updated_at"])
    count = 0
    for role in roles:
        confirm_role(role, user, now)
        count += 1
    return count


@transaction.atomic
def add_member_agency(coalition: Coalition, agency: Agency, **membership) -> Membership:
    """Make an agency a member of the coalition: a new one, or one whose every
    coalition the organizer also organizes (see `join_or_ask`)."""
    if agency.pk is None:
        agency.save()
    member, _ = Membership.objects.get_or_create(agency=agency, coalition=coalition, defaults=membership)
    return member


@transaction.atomic
def join_or_ask(
    coalition: Coalition, agency: Agency, user: User, *, status: str, joined_on
) -> Membership | JoinRequest:
    """An agency already in Roundtable joins the coalition. If the organizer
    governs it (organizes every coalition it belongs to), it joins at once;
    otherwise the agency is asked, and joins when it accepts."""
    if governs_agency(user, agency):
        return add_member_agency(coalition, agency, status=status, joined_on=joined_on)
    request, created = JoinRequest.objects.get_or_create(
        agency=agency,
        coalition=coalition,
        status=JoinRequest.Status.PENDING,
        defaults={"membership_status": status, "joined_on": joined_on, "requested_by": user},
    )
    if created:
        told = agency.people.filter(is_active=True, user__is_active=True).exclude(email="").select_related("user")
        for person in told:
            notifications.queue(
                Notification.Kind.JOIN_REQUEST, request.pk, person.email, user=person.user, coalition=coalition
            )
    return request


@transaction.atomic
def answer_join_request(join_request: JoinRequest, user: User, *, accept: bool) -> Membership | None:
    """The agency says yes (it becomes a member, with the status the coalition
    asked for) or no. Either way the request stays on record, with who decided."""
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request has already been answered or withdrawn.")
    join_request.status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.DECLINED
    join_request.decided_by, join_request.decided_at = user, timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if not accept:
        return None
    return add_member_agency(
        join_request.coalition,
        join_request.agency,
        status=join_request.membership_status,
        joined_on=join_request.joined_on or timezone.localdate(),
    )


@transaction.atomic
def withdraw_join_request(join_request: JoinRequest, user: User) -> None:
    updated = JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.WITHDRAWN, decided_by=user, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError("This request has already been answered.")


def editable_areas(user, agency: Agency):
    """Response areas in which the user may give the agency a role."""
    member_of = set(
        agency.memberships.exclude(status=Membership.Status.INACTIVE).values_list("coalition_id", flat=True)
    )
    allowed = member_of & role_coalitions(user, agency)
    return ResponseArea.objects.filter(coalition_id__in=allowed, is_active=True).select_related("coalition")


@transaction.atomic
def save_role(form, user, lines=None):
    """Save a role from its form (and its contact lines' formset, on the page).
    Saving a role is confirming it: the person who wrote it vouches for it."""
    role = form.save(commit=False)
    role.confirmed_at, role.confirmed_by = timezone.now(), user
    role.save()
    if lines is not None:
        lines.instance = role
        lines.save()
    events.announce("role.changed", role, coalition_id=role.response_area.coalition_id)
    return role


def confirm_role(role, user, now=None) -> None:
    """The role is still right, says one who may change it."""
    role.confirmed_at, role.confirmed_by = now or timezone.now(), user
    role.save(update_fields=["confirmed_at", "confirmed_by"])
    events.announce("role.confirmed", role, coalition_id=role.response_area.coalition_id)


def roles_changeable_by(user, agency: Agency):
    """The agency's roles this user may change and confirm."""
    return agency.roles.filter(role_filter(user, agency)).select_related("response_area")


@transaction.atomic
def invite(
    *,
    coalition: Coalition,
    email: str,
    full_name: str,
    role: str,
    invited_by: User,
    agency: Agency | None = None,
    title: str = "",
) -> Invitation:
    """Give a person access to a coalition and e-mail them a one-time link to
    set their password (or, if they already have one, a note that they now
    have access). Agency representatives are linked to a person of their
    agency, created if needed."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name)
    elif not user.is_active:
        raise ValidationError({"email": "This login has been deactivated; an administrator can restore it."})

    if role == Invitation.Role.MEMBER:
        if agency is None:
            raise ValidationError({"agency": "Choose the agency this person represents."})
        _link_person(user, agency, full_name=full_name, title=title)
    else:
        CoalitionRole.objects.get_or_create(coalition=coalition, user=user, role=role, defaults={"title": title})

    invitation = Invitation.objects.create(coalition=coalition, user=user, role=role, invited_by=invited_by)
    notifications.queue(Notification.Kind.INVITATION, invitation.pk, user.email, user=user, coalition=coalition)
    return invitation


def _link_person(user: User, agency: Agency, *, full_name: str, title: str) -> Person:
    person = Person.objects.filter(user=user).first()
    if person is not None:
        if person.agency_id != agency.pk:
            # Which agency is not said: it may sit at another coalition's table.
            raise ValidationError(
                {
                    "email": "This address already belongs to a representative of another agency. "
                    "One login represents one agency; invite them with the address they use at this agency."
                }
            )
        return person
    # A directory entry with the same work e-mail gets the login.
    person = Person.objects.filter(agency=agency, email__iexact=user.email, user__isnull=True).first()
    if person is None:
        person = Person(agency=agency, full_name=full_name, email=user.email)
    person.user = user
    if title and not person.title:
        person.title = title
    person.save()
    return person


@transaction.atomic
def mark_left(person: Person, by: User) -> None:
    """The person left their agency: they receive nothing more, their access
    through it ends at once, their calendar feed stops, and the apps above
    hand on what was theirs (events.person_left: tasks moves their open
    items to their backup or the agency's primary representative, each with
    a line in its log). A login with no other standing is switched off,
    which ends its sessions on their next request."""
    from coordination import access, security_log

    from .events import person_left

    # one at a time: of two clicks at once, the second finds them gone already
    if not Person.objects.filter(pk=person.pk, is_active=True).update(is_active=False):
        raise ValidationError(f"{person.full_name} is already marked as having left.")
    person.is_active = False
    person.save(update_fields=["is_active"])  # (again, through save: the agency's history shows who and when)
    # the agency names a representative who is no longer there
    for membership in Membership.objects.filter(Q(primary_representative=person) | Q(alternate_representative=person)):
        for field in ("primary_representative", "alternate_representative"):
            if getattr(membership, f"{field}_id") == person.pk:
                setattr(membership, field, None)
        membership.save(update_fields=["primary_representative", "alternate_representative"])
    user = person.user
    if user is not None:
        user.reset_calendar_token()
        access.forget_standing(user)
        still = (
            user.is_superuser
            or Person.objects.filter(user=user, is_active=True).exists()
            or CoalitionRole.objects.filter(user=user).exists()
        )
        if not still:  # (never switched back on: a login switched off stays off)
            user.is_active = False
        user.save(update_fields=["calendar_token", "is_active"])
    if user is not None:
        security_log.record(
            None, security_log.Kind.ROLE_CHANGED, user, actor=by, detail=f"left {person.agency.name}", notify=False
        )
    person_left.send(sender=Person, person=person, by=by)
