"""The REST API's endpoints: each loads with the queryset the page uses
(`visible_to`, the agency and role filters), checks a change with the same
rules permission, validates it with the page's form and makes it with the
page's service. A thing the user may not see is a 404, whether it exists or
not; a thing they see but may not change is a 403 saying who may."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response

from coordination import access, security_log
from coordination.models import Coalition, Committee, SecurityEvent
from coordination.pages import require
from meetings import services as meeting_services
from meetings.filters import MeetingFilter
from meetings.forms import MeetingForm
from meetings.models import Meeting, Minutes
from meetings.pages import get_meeting_for_user
from members import services as member_services
from members.filters import MembershipFilter
from members.forms import AgencyRoleForm
from members.models import Agency, AgencyRole, Membership
from members.rules import agency_filter
from reports.filters import ActivityFilter
from reports.models import Activity
from tasks import services as task_services
from tasks.filters import ActionItemFilter
from tasks.forms import ActionItemForm, UpdateForm
from tasks.models import ActionItem
from tasks.pages import get_item_for_user

from . import serializers as s
from .framework import ETagged, form_data, lock, valid
from .models import ApiToken


def coalition_for(request, slug: str) -> Coalition:
    """The coalition, or 404 when the user has no standing in it (the pages'
    get_coalition_for_user also remembers it in the session, which a token has not)."""
    return get_object_or_404(Coalition.objects.visible_to(request.user), slug=slug)


def api_address(request, name: str, obj) -> str:
    """Where a thing made through the API is read back (a 201's Location)."""
    return request.build_absolute_uri(reverse(f"api:{name}", args=[obj.pk]))


def note_contacts_read(request, coalition: Coalition | None = None) -> None:
    """A token that reads agencies' and people's contact details is logged as a
    download of the member list is (once a day per token and coalition): a
    script can read them all."""
    token = request.auth
    if not isinstance(token, ApiToken):
        return  # (the browser's session reads what the pages show)
    key = f"api-contacts-{token.pk}-{coalition.pk if coalition else 0}-{timezone.localdate()}"
    if cache.add(key, True, timeout=24 * 3600):
        security_log.record(
            request, SecurityEvent.Kind.CONTACT_EXPORT, request.user, coalition=coalition, detail=f"API token {token}"
        )


class Endpoint(ETagged, generics.GenericAPIView):
    """Authentication, scope, rate limit, cursor pages and filters come from
    settings.REST_FRAMEWORK; this adds the ETags."""


class CoalitionScoped(Endpoint):
    """A list of one coalition's things: /coalitions/{slug}/…"""

    def coalition(self) -> Coalition:
        if not hasattr(self, "_coalition"):
            self._coalition = coalition_for(self.request, self.kwargs["slug"])
        return self._coalition

    def filterset_kwargs(self) -> dict:
        return {"coalition": self.coalition(), "user": self.request.user}


@extend_schema(exclude=True)
class NoSuchEndpoint(Endpoint):
    """Any other address under /api/: a 404 in JSON, as every error of the API is."""

    def get_view_name(self) -> str:
        return "Roundtable API"  # (the browsable API's breadcrumbs name /api/ and /api/v1/ so)

    def get(self, request, *args, **kwargs):
        raise Http404("No such endpoint: see /api/docs/ for the list.")

    post = put = patch = delete = get


# --- Who is asking ---------------------------------------------------------------------


class Me(Endpoint):
    serializer_class = s.MeSerializer

    @extend_schema(summary="Who the token or session is, and where they stand")
    def get(self, request):
        standing = access.standing(request.user)
        slugs = {pk: slug for pk, _, slug in standing.labels}
        agency = Agency.objects.filter(pk=standing.agency_id).values("id", "name").first()
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            {
                "id": request.user.pk,
                "full_name": request.user.full_name,
                "email": request.user.email,
                "organizer_of": sorted(slugs[pk] for pk in standing.organizer_of if pk in slugs),
                "lead_of": sorted(slugs[pk] for pk in standing.lead_of if pk in slugs),
                "member_of": sorted(slugs[pk] for pk in standing.member_of if pk in slugs),
                "agency": agency,
                "token": (
                    {"name": token.name, "scope": token.scope, "expires_at": token.expires_at} if token else None
                ),
            }
        )


# --- Coalitions and committees -------------------------------------------------------


class CoalitionList(Endpoint, generics.ListAPIView):
    """The coalitions you stand in."""

    serializer_class = s.CoalitionSerializer
    ordering = ("name",)

    def get_queryset(self):
        return Coalition.objects.visible_to(self.request.user)


class CoalitionDetail(Endpoint, generics.RetrieveAPIView):
    serializer_class = s.CoalitionSerializer

    def get_object(self):
        return coalition_for(self.request, self.kwargs["slug"])


class CommitteeList(CoalitionScoped, generics.ListAPIView):
    """The coalition's committees you may see: a restricted one only if you sit on it or organize."""

    serializer_class = s.CommitteeSerializer
    ordering = ("name",)

    def get_queryset(self):
        return (
            Committee.objects.visible_to(self.request.user)
            .filter(coalition=self.coalition())
            .select_related("coalition")
        )


class CommitteeDetail(Endpoint, generics.RetrieveAPIView):
    serializer_class = s.CommitteeSerializer

    def get_queryset(self):
        return Committee.objects.visible_to(self.request.user).select_related("coalition")


# --- Agencies and their roles ----------------------------------------------------------


class AgencyList(CoalitionScoped, generics.ListAPIView):
    """The coalition's member agencies, filtered as the member list is."""

    serializer_class = s.MembershipSerializer
    filterset_class = MembershipFilter
    ordering = ("agency_name",)

    def filterset_kwargs(self) -> dict:
        return {"coalition": self.coalition()}

    def list(self, request, *args, **kwargs):
        note_contacts_read(request, self.coalition())
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Membership.objects.filter(coalition=self.coalition())
            .select_related("agency", "primary_representative", "alternate_representative")
            .annotate(agency_name=F("agency__name"))
        )


class AgencyDetail(Endpoint):
    """An agency: its memberships and roles in your coalitions, and its active people's work contacts."""

    serializer_class = s.AgencySerializer

    def get(self, request, pk: int):
        agency = get_object_or_404(Agency.objects.filter(agency_filter(request.user)).distinct(), pk=pk)
        note_contacts_read(request)
        visible = access.standing(request.user).coalitions
        context = self.get_serializer_context() | {
            "memberships": agency.memberships.filter(coalition_id__in=visible).select_related(
                "coalition", "primary_representative"
            ),
            "roles": agency.roles.filter(response_area__coalition_id__in=visible)
            .select_related("agency", "response_area__coalition", "confirmed_by")
            .prefetch_related("lines"),
            "people": agency.people.filter(is_active=True).order_by("full_name"),
        }
        return Response(s.AgencySerializer(agency, context=context).data)


def role_for(request, pk: int) -> AgencyRole:
    """A role of the user's coalitions, or 404."""
    roles = AgencyRole.objects.filter(response_area__coalition_id__in=access.standing(request.user).coalitions)
    return get_object_or_404(
        roles.select_related("agency", "response_area__coalition", "confirmed_by").prefetch_related("lines"), pk=pk
    )


class RoleDetail(Endpoint):
    """One role of an agency. Its own people (and its coalition's organizers)
    change it; a change confirms it, as on the page."""

    serializer_class = s.AgencyRoleSerializer

    def get(self, request, pk: int):
        return Response(s.AgencyRoleSerializer(role_for(request, pk), context=self.get_serializer_context()).data)

    @extend_schema(request=s.AgencyRoleWriteSerializer, responses=s.AgencyRoleSerializer)
    @transaction.atomic
    def patch(self, request, pk: int):
        lock(AgencyRole, pk)
        role = role_for(request, pk)
        require(
            request,
            "members.change_agencyrole",
            role,
            "Only the agency's own representatives and the organizers of the role's coalition can change it.",
        )
        self.check_unchanged(request, s.AgencyRoleSerializer(role, context=self.get_serializer_context()).data)
        fields = model_to_dict(role, fields=AgencyRoleForm.Meta.fields)
        data = form_data(request.data, fields)
        data["response_area"] = role.response_area_id  # a role stays in its area
        form = valid(
            AgencyRoleForm(data, instance=role, areas=member_services.editable_areas(request.user, role.agency))
        )
        member_services.save_role(form, request.user)
        return Response(s.AgencyRoleSerializer(role_for(request, pk), context=self.get_serializer_context()).data)


class RoleConfirm(Endpoint):
    serializer_class = s.AgencyRoleSerializer

    @extend_schema(request=None, summary="Say the role is still right (confirm it as current)")
    def post(self, request, pk: int):
        role = role_for(request, pk)
        require(
            request,
            "members.change_agencyrole",
            role,
            "Only the agency's own representatives and the organizers of the role's coalition can confirm it.",
        )
        member_services.confirm_role(role, request.user)
        return Response(s.AgencyRoleSerializer(role_for(request, pk), context=self.get_serializer_context()).data)


# --- Meetings ---------------------------------------------------------------------


MEETING_RELATED = ("coalition", "committee", "minutes")


@extend_schema_view(post=extend_schema(request=s.MeetingWriteSerializer, responses={201: s.MeetingSerializer}))
class MeetingList(CoalitionScoped, generics.ListCreateAPIView):
    """The coalition's meetings you may see, newest first. Organizers schedule new ones."""

    serializer_class = s.MeetingSerializer
    filterset_class = MeetingFilter
    ordering = ("-starts_at", "-pk")

    def get_queryset(self):
        return (
            Meeting.objects.visible_to(self.request.user)
            .filter(coalition=self.coalition())
            .select_related(*MEETING_RELATED)
            .defer("minutes__body", "minutes__restricted_body", "minutes__decisions")
        )

    def create(self, request, slug: str):
        coalition = self.coalition()
        require(request, "meetings.schedule_meeting", coalition, "Only the coalition's organizers schedule meetings.")
        meeting = Meeting(coalition=coalition, created_by=request.user)
        defaults = model_to_dict(meeting, fields=MeetingForm.Meta.fields)
        form = MeetingForm(form_data(request.data, defaults), instance=meeting, coalition=coalition)
        # a committee is one the organizer may see (all of the coalition's, for its organizers)
        meeting = meeting_services.save_meeting(valid(form), request.user)
        data = s.MeetingSerializer(meeting, context=self.get_serializer_context()).data
        return Response(
            data, status=status.HTTP_201_CREATED, headers={"Location": api_address(request, "meeting", meeting)}
        )


class MeetingDetail(Endpoint):
    """A meeting and its agenda (case-review items only for those who may read restricted parts)."""

    serializer_class = s.MeetingDetailSerializer

    def get(self, request, pk: int):
        meeting = get_object_or_404(
            Meeting.objects.visible_to(request.user)
            .select_related(*MEETING_RELATED)
            .defer("minutes__body", "minutes__restricted_body", "minutes__decisions"),
            pk=pk,
        )
        items = meeting.agenda_items.select_related("presenter", "presenter_agency").order_by("position", "pk")
        if not request.user.has_perm("meetings.read_restricted", meeting):
            items = items.filter(is_case_review=False)
        context = self.get_serializer_context() | {"agenda": items}
        return Response(s.MeetingDetailSerializer(meeting, context=context).data)


class MinutesDetail(Endpoint):
    """A meeting's approved minutes; the restricted part only for those who may read it."""

    serializer_class = s.MinutesSerializer

    @extend_schema(responses={200: s.MinutesSerializer, 404: OpenApiResponse(description="No approved minutes.")})
    def get(self, request, pk: int):
        meeting = get_meeting_for_user(request, pk)
        minutes = get_object_or_404(
            Minutes.objects.select_related("approved_by"), meeting=meeting, status=Minutes.Status.APPROVED
        )
        restricted = request.user.has_perm("meetings.read_restricted", meeting)
        return Response(s.MinutesSerializer(minutes, context={"restricted": restricted}).data)


# --- Action items -------------------------------------------------------------------

# (what every row of the list shows)
ITEM_RELATED = ("coalition", "committee", "meeting", "owner_agency", "assignee", "backup", "response_area")
# an item, or 404 when the user may not see it: the page's own loader
item_for = get_item_for_user


@extend_schema_view(post=extend_schema(request=s.ActionItemWriteSerializer, responses={201: s.ActionItemSerializer}))
class ActionList(CoalitionScoped, generics.ListCreateAPIView):
    """The coalition's action items you may see, newest first, filtered as the Actions page is."""

    serializer_class = s.ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering = ("-created_at", "-pk")

    def get_queryset(self):
        return (
            ActionItem.objects.visible_to(self.request.user)
            .filter(coalition=self.coalition())
            .select_related(*ITEM_RELATED)
        )

    def create(self, request, slug: str):
        coalition = self.coalition()
        require(request, "tasks.add_actionitem", coalition, "Only the coalition's organizers and leads can add items.")
        item = ActionItem(coalition=coalition, created_by=request.user)
        defaults = model_to_dict(item, fields=ActionItemForm.Meta.fields)  # (its priority)
        data = form_data(request.data, defaults)
        form = valid(ActionItemForm(data, instance=item, coalition=coalition, user=request.user))
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        item = task_services.create_item(coalition=coalition, created_by=request.user, **data)
        body = s.ActionItemSerializer(item_for(request, item.pk), context=self.get_serializer_context()).data
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": api_address(request, "action", item)}
        )


class ActionDetail(Endpoint):
    """One action item. Organizers and leads change its owner, assignee, due
    date and the rest (send only what changes); its status changes through its updates."""

    serializer_class = s.ActionItemSerializer

    def get(self, request, pk: int):
        return Response(s.ActionItemSerializer(item_for(request, pk), context=self.get_serializer_context()).data)

    @extend_schema(request=s.ActionItemWriteSerializer, responses=s.ActionItemSerializer)
    @transaction.atomic
    def patch(self, request, pk: int):
        lock(ActionItem, pk)
        item = item_for(request, pk)
        require(request, "tasks.manage_actionitem", item, "Only the coalition's organizers and leads can edit items.")
        self.check_unchanged(request, s.ActionItemSerializer(item, context=self.get_serializer_context()).data)
        current = model_to_dict(item, fields=ActionItemForm.Meta.fields)
        form = valid(
            ActionItemForm(form_data(request.data, current), instance=item, coalition=item.coalition, user=request.user)
        )
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        task_services.manage(ActionItem.objects.get(pk=item.pk), request.user, **data)
        return Response(s.ActionItemSerializer(item_for(request, pk), context=self.get_serializer_context()).data)


@extend_schema_view(
    post=extend_schema(request=s.ActionUpdateWriteSerializer, responses={201: s.ActionUpdateSerializer})
)
class ActionUpdates(Endpoint, generics.ListCreateAPIView):
    """An item's log, newest first. The owning agency's people, the coalition's
    organizers and leads add to it: a new status, a comment, or both."""

    serializer_class = s.ActionUpdateSerializer
    ordering = ("-created_at", "-pk")

    def get_queryset(self):
        return item_for(self.request, self.kwargs["pk"]).updates.select_related("author")

    def create(self, request, pk: int):
        item = item_for(request, pk)
        require(
            request,
            "tasks.update_actionitem",
            item,
            "Only the owning agency and the coalition's organizers and leads can update this item.",
        )
        data = form_data(request.data, {"status": item.status, "reason": item.status_reason})
        form = valid(UpdateForm(data)).cleaned_data
        update = task_services.record_update(
            item, request.user, status=form["status"], comment=form["comment"], reason=form["reason"]
        )
        return Response(s.ActionUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


# --- Activities -----------------------------------------------------------------------


class ActivityList(CoalitionScoped, generics.ListAPIView):
    """The coalition's trainings and events, latest first, filtered as the Activities page is."""

    serializer_class = s.ActivitySerializer
    filterset_class = ActivityFilter
    ordering = ("-held_on", "-pk")

    def filterset_kwargs(self) -> dict:
        return {"coalition": self.coalition()}

    def get_queryset(self):
        return (
            Activity.objects.visible_to(self.request.user)
            .filter(coalition=self.coalition())
            .select_related("coalition", "presenting_agency")
        )


class ActivityDetail(Endpoint, generics.RetrieveAPIView):
    serializer_class = s.ActivitySerializer

    def get_queryset(self):
        return Activity.objects.visible_to(self.request.user).select_related("coalition", "presenting_agency")
