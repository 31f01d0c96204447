from django import forms
from django.utils.text import slugify

from coordination import autocomplete
from coordination.forms import ModelMultipleChoiceField
from coordination.models import Coalition, Committee, CommitteeMember, Invitation, User

from . import choices, services
from .models import (
    Agency,
    AgencyRole,
    ContactLine,
    JoinRequest,
    Membership,
    Person,
    ResponseArea,
    dial_string,
    is_dialable,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
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
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "phone": "The number the coalition and, if listed, the public should call.",
            "address": "The agency's office, never a shelter's confidential location.",
        }


class NewMemberForm(AgencyForm):
    """A new agency joins the coalition: its profile and its membership."""

    status = forms.ChoiceField(choices=Membership.Status.choices, initial=Membership.Status.ACTIVE)
    joined_on = forms.DateField(required=False, widget=DATE, label="Joined on")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Agency.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                "An agency of this name is already in Roundtable: add it under “An agency already on Roundtable”."
            )
        return name


class ExistingAgencyForm(forms.Form):
    """An agency already at another coalition's table joins this one too. It is
    named exactly (the list suggests the agencies the organizer already sees and
    those in the public directory, never the rest of the deployment), and is
    asked first unless the organizer governs it."""

    agency = forms.CharField(
        label="Agency's name",
        max_length=200,
        help_text="Its exact name in Roundtable. An agency of another coalition is asked first "
        "and joins when it accepts.",
    )
    status = forms.ChoiceField(choices=Membership.Status.choices, initial=Membership.Status.ACTIVE)
    joined_on = forms.DateField(required=False, widget=DATE, label="Joined on")

    def __init__(self, *args, coalition, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.coalition = coalition
        # Suggested as one types (coordination/autocomplete.py), never listed in the page.
        self.suggestions = choices.joinable_agencies(user, coalition).values_list("name", flat=True)
        self.fields["agency"].widget = autocomplete.AutocompleteTextInput(
            autocomplete.url_for("joinable-agency", coalition), attrs={"autocomplete": "off"}
        )

    def clean_agency(self):
        name = " ".join(self.cleaned_data["agency"].split())
        agency = Agency.objects.filter(name__iexact=name).first()
        if agency is None:
            raise forms.ValidationError(
                "No agency of this name is in Roundtable. Check the spelling, or add it as a new agency."
            )
        if agency.memberships.filter(coalition=self.coalition).exists():
            raise forms.ValidationError(f"{agency.name} is already a member of {self.coalition.name}.")
        if agency.join_requests.filter(coalition=self.coalition, status=JoinRequest.Status.PENDING).exists():
            raise forms.ValidationError(f"{agency.name} has already been asked to join and has not answered yet.")
        return agency


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "status",
            "joined_on",
            "is_voting",
            "mou_signed_on",
            "mou_review_on",
            "primary_representative",
            "alternate_representative",
        ]
        widgets = {"joined_on": DATE, "mou_signed_on": DATE, "mou_review_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(agency=self.instance.agency, is_active=True)
        self.fields["primary_representative"].queryset = people
        self.fields["alternate_representative"].queryset = people

    def clean(self):
        data = super().clean()
        signed, review = data.get("mou_signed_on"), data.get("mou_review_on")
        if signed and review and review <= signed:
            self.add_error("mou_review_on", "The review date must come after the date the MOU was signed.")
        primary, alternate = data.get("primary_representative"), data.get("alternate_representative")
        if primary and alternate and primary == alternate:
            self.add_error("alternate_representative", "The alternate must be someone other than the primary.")
        return data


class AgencyRoleForm(forms.ModelForm):
    class Meta:
        model = AgencyRole
        fields = [
            "response_area",
            "description",
            "description_es",
            "ages",
            "languages",
            "capacity",
            "is_public",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_es": forms.Textarea(attrs={"rows": 3}),
            "capacity": forms.RadioSelect,
        }
        help_texts = {
            "capacity": "Limited: taking fewer referrals than usual. Paused: not taking any for now.",
        }

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        taken = AgencyRole.objects.filter(agency=self.instance.agency).exclude(pk=self.instance.pk)
        self.fields["response_area"].queryset = areas.exclude(pk__in=taken.values("response_area"))
        self.fields["response_area"].label_from_instance = lambda area: f"{area} ({area.coalition})"

    def clean_response_area(self):
        area = self.cleaned_data["response_area"]
        clash = AgencyRole.objects.filter(agency=self.instance.agency, response_area=area).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("The agency already has a role in this area; edit that one instead.")
        return area


class ContactLineForm(forms.ModelForm):
    class Meta:
        model = ContactLine
        fields = ["label", "label_es", "number", "hours", "hours_es", "available_24_7", "takes_texts", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False  # left empty: first

    def clean_number(self):
        number = self.cleaned_data["number"]
        if "number" in self.changed_data and not is_dialable(number):
            raise forms.ValidationError(
                "Write one number, with digits, spaces, brackets or dashes, e.g. (530) 555-0100 or 233733; "
                "an extension may follow as “ext. 12”."
            )
        return number

    def clean_position(self):
        return self.cleaned_data["position"] or 0

    def clean(self):
        data = super().clean()
        if data.get("available_24_7") and data.get("hours"):
            self.add_error("hours", "A line that answers 24/7 needs no hours: clear them, or untick 24/7.")
        return data


class BaseContactLineFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django offers a new line's (hidden, empty) id every line in the table:
        # only this role's lines may be named, so a forged id is refused.
        form.fields["id"].queryset = self.get_queryset()
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this line"

    def clean(self):
        super().clean()
        # Every line kept, changed or not: a new line may repeat one already there.
        dialled = [
            dial_string(form.cleaned_data["number"])
            for form in self.forms
            if form.cleaned_data.get("number") and not self._should_delete_form(form)
        ]
        numbers = [number for number in dialled if number]
        if len(numbers) != len(set(numbers)):
            raise forms.ValidationError("The same number is written on two lines: keep one, and say its hours there.")


# A role's ways to reach the agency, edited with the role: the lines it has
# and two blank ones to add (without JavaScript; save to get two more).
ContactLineFormSet = forms.inlineformset_factory(
    AgencyRole,
    ContactLine,
    form=ContactLineForm,
    formset=BaseContactLineFormSet,
    extra=2,
    max_num=10,
    validate_max=True,
    can_delete=True,
)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        # (no "active" box: a person who leaves is marked so on the agency's page, which ends
        # their access and hands on their items; members.services.mark_left)
        fields = ["full_name", "title", "email", "phone", "receives_reminders"]
        help_texts = {"email": "Work address only."}


class ResponseAreaForm(forms.ModelForm):
    class Meta:
        model = ResponseArea
        fields = ["name", "name_es", "description", "position", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = ResponseArea.objects.filter(coalition=self.instance.coalition, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This coalition already has a response area with this name.")
        return name


class InvitationForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Work e-mail address")
    role = forms.ChoiceField(
        choices=Invitation.Role.choices,
        widget=forms.RadioSelect,
        help_text="Organizers manage the coalition; leads review it; agency representatives keep their agency current.",
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        help_text="Required for an agency representative. An agency shared with another coalition is not listed: "
        "invite its people from the agency's page, at the address the agency gave.",
    )
    title = forms.CharField(label="Title", max_length=150, required=False, help_text="For example Sergeant or Chair.")

    def __init__(self, *args, coalition: Coalition, invited_by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.coalition = coalition
        self.invited_by = invited_by
        # Only the agencies the inviter governs (members/choices.py), searched as one types.
        autocomplete.use(self.fields["agency"], "invitable-agency", invited_by, coalition)

    def clean(self):
        data = super().clean()
        if data.get("role") == Invitation.Role.MEMBER and not data.get("agency"):
            self.add_error("agency", "Choose the agency this person represents.")
        return data

    def save(self) -> Invitation:
        data = self.cleaned_data
        return services.invite(
            coalition=self.coalition,
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            agency=data["agency"] if data["role"] == Invitation.Role.MEMBER else None,
            title=data["title"],
            invited_by=self.invited_by,
        )


class CommitteeForm(forms.ModelForm):
    members = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        help_text="People of the coalition's member agencies, and its organizers and leads.",
    )
    leads = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        help_text="Leads are members too; a lead not chosen above is added.",
    )

    class Meta:
        model = Committee
        fields = ["name", "charge", "visibility", "is_active"]
        widgets = {"charge": forms.Textarea(attrs={"rows": 4}), "visibility": forms.RadioSelect}

    def __init__(self, *args, coalition: Coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.coalition = coalition
        # Thousands of people statewide: searched as one types (members/choices.py).
        for name in ("members", "leads"):
            autocomplete.use(self.fields[name], "committee-person", None, coalition)
        if self.instance.pk:
            current = list(self.instance.memberships.values_list("person_id", "is_lead"))
            self.initial["members"] = [pid for pid, _ in current]
            self.initial["leads"] = [pid for pid, lead in current if lead]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        slug = slugify(name)[:60]
        if not slug:
            raise forms.ValidationError("Use letters or numbers in the name.")
        clash = Committee.objects.filter(coalition=self.instance.coalition, slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("This coalition already has a committee with this name.")
        self.instance.slug = slug
        return name

    def save(self, commit: bool = True) -> Committee:
        committee = super().save()
        leads = set(self.cleaned_data["leads"])
        chosen = set(self.cleaned_data["members"]) | leads
        committee.memberships.exclude(person__in=chosen).delete()
        existing = {m.person_id: m for m in committee.memberships.all()}
        for person in chosen:
            membership = existing.get(person.pk)
            if membership is None:
                CommitteeMember.objects.create(committee=committee, person=person, is_lead=person in leads)
            elif membership.is_lead != (person in leads):
                membership.is_lead = person in leads
                membership.save(update_fields=["is_lead"])
        return committee
