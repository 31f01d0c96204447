"""What the API shows of each thing: what its page shows, to the same people.

Read-only representations; changes are validated by the pages' forms
(framework.valid), so a serializer never decides what may be written.
Related things come as {id, name} with the API address of their own."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coordination.models import Coalition, Committee
from meetings.models import AgendaItem, Meeting, Minutes
from members.models import Agency, AgencyRole, ContactLine, Membership, Person
from reports.models import Activity
from tasks.models import ActionItem, ActionUpdate


class WebUrl(serializers.Field):
    """The page of the thing on the site, as an absolute address."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(WebUrl)


class Ref(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, source="__str__")


class PersonRef(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, source="full_name")


class CommitteeRef(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class MeetingRef(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)


class CoalitionSerializer(serializers.ModelSerializer):
    web_url = WebUrl()

    class Meta:
        model = Coalition
        fields = [
            "id",
            "slug",
            "name",
            "counties",
            "founded_on",
            "time_zone",
            "description",
            "contact_email",
            "web_url",
        ]


class CommitteeSerializer(serializers.ModelSerializer):
    coalition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    web_url = WebUrl()

    class Meta:
        model = Committee
        fields = ["id", "coalition", "name", "slug", "charge", "visibility", "is_active", "web_url"]


class AgencyBriefSerializer(serializers.ModelSerializer):
    web_url = WebUrl()

    class Meta:
        model = Agency
        fields = ["id", "name", "sector", "phone", "email", "website", "counties_served", "available_24_7", "web_url"]


class MembershipSerializer(serializers.ModelSerializer):
    """An agency at one coalition's table."""

    agency = AgencyBriefSerializer(read_only=True)
    primary_representative = PersonRef(read_only=True, allow_null=True)
    alternate_representative = PersonRef(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "agency",
            "status",
            "joined_on",
            "is_voting",
            "primary_representative",
            "alternate_representative",
        ]


class ContactLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactLine
        fields = ["label", "label_es", "number", "hours", "hours_es", "available_24_7", "takes_texts", "position"]


class ResponseAreaRef(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    coalition = serializers.CharField(read_only=True, source="coalition.slug")


class AgencyRoleSerializer(serializers.ModelSerializer):
    agency = Ref(read_only=True)
    response_area = ResponseAreaRef(read_only=True)
    lines = ContactLineSerializer(many=True, read_only=True)
    is_stale = serializers.BooleanField(read_only=True)
    confirmed_by = serializers.CharField(read_only=True, source="confirmed_by.full_name", default=None, allow_null=True)

    class Meta:
        model = AgencyRole
        fields = [
            "id",
            "agency",
            "response_area",
            "description",
            "description_es",
            "ages",
            "languages",
            "capacity",
            "is_public",
            "confirmed_at",
            "confirmed_by",
            "is_stale",
            "lines",
        ]


class AgencyRoleWriteSerializer(serializers.Serializer):
    """What a change of a role may send (the role's page's form; lines are changed on the page)."""

    description = serializers.CharField(required=False, max_length=20_000)
    description_es = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    ages = serializers.ChoiceField(choices=AgencyRole.Ages.choices, required=False)
    languages = serializers.CharField(required=False, allow_blank=True, max_length=300)
    capacity = serializers.ChoiceField(choices=AgencyRole.Capacity.choices, required=False)
    is_public = serializers.BooleanField(required=False)


class PersonSerializer(serializers.ModelSerializer):
    """Work contact details, as the agency's page shows them."""

    class Meta:
        model = Person
        fields = ["id", "full_name", "title", "email", "phone"]


class AgencySerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    people = serializers.SerializerMethodField()
    web_url = WebUrl()

    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "sector",
            "description",
            "website",
            "phone",
            "email",
            "address",
            "counties_served",
            "languages",
            "available_24_7",
            "listed_publicly",
            "confirmed_at",
            "memberships",
            "roles",
            "people",
            "web_url",
        ]

    class MembershipOf(serializers.ModelSerializer):
        coalition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
        primary_representative = PersonRef(read_only=True, allow_null=True)

        class Meta:
            model = Membership
            fields = ["coalition", "status", "joined_on", "is_voting", "primary_representative"]

    @extend_schema_field(MembershipOf(many=True))
    def get_memberships(self, agency):
        return self.MembershipOf(self.context["memberships"], many=True).data

    @extend_schema_field(AgencyRoleSerializer(many=True))
    def get_roles(self, agency):
        return AgencyRoleSerializer(self.context["roles"], many=True, context=self.context).data

    @extend_schema_field(PersonSerializer(many=True))
    def get_people(self, agency):
        return PersonSerializer(self.context["people"], many=True).data


class MeetingSerializer(serializers.ModelSerializer):
    coalition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    committee = CommitteeRef(read_only=True, allow_null=True)
    minutes_approved = serializers.SerializerMethodField()
    web_url = WebUrl()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "coalition",
            "committee",
            "title",
            "kind",
            "status",
            "starts_at",
            "ends_at",
            "place",
            "video_url",
            "cancel_reason",
            "minutes_approved",
            "web_url",
        ]

    def get_minutes_approved(self, meeting) -> bool:
        minutes = getattr(meeting, "minutes", None)
        return minutes is not None and minutes.status == Minutes.Status.APPROVED


class MeetingWriteSerializer(serializers.Serializer):
    """A new meeting, as the scheduling page takes it: the date and times in the coalition's time zone."""

    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices, required=False)
    committee = serializers.IntegerField(required=False, allow_null=True, help_text="A committee's id, or none.")
    date = serializers.DateField()
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()
    place = serializers.CharField(required=False, allow_blank=True, max_length=300)
    video_url = serializers.URLField(required=False, allow_blank=True)


class AgendaItemSerializer(serializers.ModelSerializer):
    presenter = PersonRef(read_only=True, allow_null=True)
    presenter_agency = Ref(read_only=True, allow_null=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "title",
            "presenter",
            "presenter_agency",
            "minutes_allotted",
            "notes",
            "is_case_review",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    agenda = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda"]

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting):
        return AgendaItemSerializer(self.context["agenda"], many=True).data


class MinutesSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(read_only=True, source="meeting_id")
    decisions = serializers.ListField(child=serializers.CharField(), read_only=True, source="decision_list")
    restricted_body = serializers.SerializerMethodField()
    approved_by = serializers.CharField(read_only=True, source="approved_by.full_name", default=None, allow_null=True)

    class Meta:
        model = Minutes
        fields = ["meeting", "status", "body", "decisions", "restricted_body", "approved_at", "approved_by"]

    @extend_schema_field({"type": ["string", "null"], "description": "Only for those who may read restricted parts."})
    def get_restricted_body(self, minutes):
        return minutes.restricted_body if self.context["restricted"] else None


class ActionItemSerializer(serializers.ModelSerializer):
    coalition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    committee = CommitteeRef(read_only=True, allow_null=True)
    meeting = MeetingRef(read_only=True, allow_null=True)
    owner_agency = Ref(read_only=True)
    assignee = PersonRef(read_only=True, allow_null=True)
    backup = PersonRef(read_only=True, allow_null=True)
    response_area = Ref(read_only=True, allow_null=True)
    days_overdue = serializers.SerializerMethodField()
    web_url = WebUrl()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "coalition",
            "committee",
            "title",
            "description",
            "meeting",
            "owner_agency",
            "assignee",
            "backup",
            "response_area",
            "due_on",
            "priority",
            "status",
            "status_reason",
            "created_at",
            "completed_at",
            "last_update_at",
            "days_overdue",
            "web_url",
        ]

    def get_days_overdue(self, item) -> int:
        return item.days_overdue()


class ActionItemWriteSerializer(serializers.Serializer):
    """An item as its page's form takes it; related things by id."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    owner_agency = serializers.IntegerField(help_text="The owning agency's id.")
    assignee = serializers.IntegerField(required=False, allow_null=True, help_text="A person of the owning agency.")
    backup = serializers.IntegerField(required=False, allow_null=True, help_text="A person of the owning agency.")
    due_on = serializers.DateField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=ActionItem.Priority.choices, required=False)
    response_area = serializers.IntegerField(required=False, allow_null=True)
    committee = serializers.IntegerField(required=False, allow_null=True)
    meeting = serializers.IntegerField(required=False, allow_null=True)
    checked = serializers.BooleanField(
        required=False, help_text="The privacy guard's box: you checked that what it flagged is no victim's details."
    )
    checked_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ActionUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(read_only=True, source="author.full_name", default=None, allow_null=True)

    class Meta:
        model = ActionUpdate
        fields = ["id", "author", "created_at", "old_status", "new_status", "comment", "changes"]


class ActionUpdateWriteSerializer(serializers.Serializer):
    """An update of an item: a new status, a comment, or both."""

    status = serializers.ChoiceField(choices=ActionItem.Status.choices, required=False)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="For blocked or dropped."
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    checked = serializers.BooleanField(required=False)
    checked_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ActivitySerializer(serializers.ModelSerializer):
    coalition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    presenting_agency = Ref(read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "coalition",
            "title",
            "kind",
            "held_on",
            "start_time",
            "place",
            "audience",
            "presenting_agency",
            "people_reached",
            "is_public",
            "notes",
        ]


class MeSerializer(serializers.Serializer):
    """Who the request is from, where they stand, and what its token may do."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    organizer_of = serializers.ListField(child=serializers.CharField())
    lead_of = serializers.ListField(child=serializers.CharField())
    member_of = serializers.ListField(child=serializers.CharField())
    agency = Ref(allow_null=True)
    token = serializers.DictField(allow_null=True)
