from django import forms
from django.contrib.auth import forms as auth_forms
from django.db.models import Q
from django.utils.text import slugify

from members.models import Agency, Membership, Person

from . import services
from .models import Coalition, Committee, CommitteeMember, Invitation, User


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That e-mail address and password do not match. Check both and try again; "
        "after five failed tries the account is locked for a while.",
        "inactive": "This account is inactive. Ask your coalition's organizer.",
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, sending through the notification ledger (and Celery)."""

    def get_users(self, email):
        # Invited people who lost their invitation may also set a password here.
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def save(self, *args, **kwargs) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            services.request_password_reset(user)


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
        help_text="Required for an agency representative.",
    )
    title = forms.CharField(label="Title", max_length=150, required=False, help_text="For example Sergeant or Chair.")

    def __init__(self, *args, coalition: Coalition, invited_by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.coalition = coalition
        self.invited_by = invited_by
        self.fields["agency"].queryset = Agency.objects.filter(
            memberships__coalition=coalition,
            memberships__status__in=[Membership.Status.ACTIVE, Membership.Status.PROSPECTIVE],
        ).order_by("name")

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
    members = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People of the coalition's member agencies, and its organizers and leads.",
    )
    leads = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leads are members too; a lead not ticked above is added.",
    )

    class Meta:
        model = Committee
        fields = ["name", "charge", "visibility", "is_active"]
        widgets = {"charge": forms.Textarea(attrs={"rows": 4}), "visibility": forms.RadioSelect}

    def __init__(self, *args, coalition: Coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.coalition = coalition
        people = (
            Person.objects.filter(is_active=True)
            .filter(
                Q(agency__memberships__coalition=coalition)
                | Q(user__coalition_roles__coalition=coalition)
                | Q(committee_memberships__committee__coalition=coalition)
            )
            .select_related("agency")
            .distinct()
            .order_by("full_name")
        )
        for name in ("members", "leads"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = lambda p: f"{p.full_name} ({p.agency})" if p.agency else p.full_name
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
