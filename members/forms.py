from django import forms

from .models import Agency, AgencyRole, Membership, Person, ResponseArea

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


class ExistingAgencyForm(forms.Form):
    """An agency already at another coalition's table joins this one too."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency")
    status = forms.ChoiceField(choices=Membership.Status.choices, initial=Membership.Status.ACTIVE)
    joined_on = forms.DateField(required=False, widget=DATE, label="Joined on")

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(memberships__coalition=coalition)


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
            "ages",
            "languages",
            "phone",
            "hours",
            "available_24_7",
            "capacity",
            "is_public",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "capacity": forms.RadioSelect}
        help_texts = {
            "capacity": "Limited: taking fewer referrals than usual. Paused: not taking any for now.",
            "phone": "The number to reach the agency for this part of the response, if not the main one.",
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


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["full_name", "title", "email", "phone", "receives_reminders", "is_active"]
        help_texts = {"email": "Work address only.", "is_active": "Untick when the person leaves the agency."}


class ResponseAreaForm(forms.ModelForm):
    class Meta:
        model = ResponseArea
        fields = ["name", "description", "position", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = ResponseArea.objects.filter(coalition=self.instance.coalition, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This coalition already has a response area with this name.")
        return name
