from django import forms

from coordination import autocomplete
from coordination.forms import ModelMultipleChoiceField, PrivacyCheckedForm
from coordination.models import Committee
from members.models import Agency, Person

from .models import ActionItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _agency_and_assignee(form, coalition) -> None:
    """The owning agency and the assignee: searchable selects of the coalition's
    agencies and active people (members/choices.py), offered and accepted alike."""
    autocomplete.use(form.fields["owner_agency"], "agency", None, coalition)
    autocomplete.use(form.fields["assignee"], "person", None, coalition)


def _people_of_the_agency(form, data) -> None:
    """The assignee and backup work for the owning agency."""
    agency = data.get("owner_agency")
    for name in ("assignee", "backup"):
        person = data.get(name)
        if person and agency and person.agency_id != agency.pk:
            form.add_error(name, f"Choose a person of {agency}.")


class ActionItemForm(PrivacyCheckedForm, forms.ModelForm):
    privacy_fields = ("title", "description")

    class Meta:
        model = ActionItem
        fields = [
            "title",
            "description",
            "owner_agency",
            "assignee",
            "backup",
            "due_on",
            "priority",
            "response_area",
            "committee",
            "meeting",
        ]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": "Why it matters and what done looks like. No victim-identifying details."}

    def __init__(self, *args, coalition, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.coalition = coalition
        autocomplete.use(self.fields["owner_agency"], "agency", user, coalition)
        for name in ("assignee", "backup"):
            autocomplete.use(self.fields[name], "person", user, coalition)
        self.fields["response_area"].queryset = coalition.response_areas.filter(is_active=True)
        # only committees and meetings the user may see: a restricted committee
        # they are not on is neither offered nor accepted
        self.fields["committee"].queryset = Committee.objects.visible_to(user).filter(
            coalition=coalition, is_active=True
        )
        self.fields["committee"].empty_label = "The whole coalition"
        autocomplete.use(self.fields["meeting"], "meeting", user, coalition)
        self.fields["meeting"].required = False

    def clean(self):
        data = super().clean()
        _people_of_the_agency(self, data)
        return data


class QuickItemForm(PrivacyCheckedForm, forms.ModelForm):
    """Adding an item while writing the minutes, against the agenda item it
    came from, with every field an item has (its committee and meeting are
    the meeting's)."""

    privacy_fields = ("title", "description")

    class Meta:
        model = ActionItem
        fields = [
            "agenda_item",
            "title",
            "description",
            "owner_agency",
            "assignee",
            "backup",
            "due_on",
            "response_area",
            "priority",
        ]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 2})}
        labels = {"agenda_item": "From agenda item"}
        help_texts = {"description": "What done looks like. No victim-identifying details."}

    def __init__(self, *args, coalition, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = (
            meeting.agenda_items.all() if meeting else self.fields["agenda_item"].queryset.none()
        )
        self.fields["agenda_item"].empty_label = "None in particular"
        _agency_and_assignee(self, coalition)
        autocomplete.use(self.fields["backup"], "person", None, coalition)
        self.fields["response_area"].queryset = coalition.response_areas.filter(is_active=True)

    def clean(self):
        data = super().clean()
        _people_of_the_agency(self, data)
        return data


class UpdateForm(PrivacyCheckedForm):
    privacy_fields = ("reason", "comment")
    privacy_stores = {"reason": "tasks.ActionItem.status_reason", "comment": "tasks.ActionUpdate.comment"}

    status = forms.ChoiceField(choices=ActionItem.Status.choices)
    reason = forms.CharField(required=False, max_length=300, help_text="Needed when blocked or dropped.")
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happened. No victim-identifying details.",
    )


class ManageForm(PrivacyCheckedForm):
    privacy_fields = ("comment",)
    privacy_stores = {"comment": "tasks.ActionUpdate.comment"}

    owner_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Owning agency")
    assignee = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    due_on = forms.DateField(required=False, widget=DATE, label="Due")
    comment = forms.CharField(required=False, max_length=1000, label="Note for the log")

    def __init__(self, *args, coalition, **kwargs):
        # ids of its own: the update form beside it on the item's page has a comment field too
        kwargs.setdefault("auto_id", "id_manage_%s")
        super().__init__(*args, **kwargs)
        _agency_and_assignee(self, coalition)


class BulkForm(PrivacyCheckedForm):
    privacy_fields = ("reason", "comment")
    privacy_stores = {"reason": "tasks.ActionItem.status_reason", "comment": "tasks.ActionUpdate.comment"}

    ACTIONS = [("reassign", "Reassign to an agency"), ("extend", "Move the due date"), ("close", "Close")]

    items = ModelMultipleChoiceField(queryset=ActionItem.objects.none(), widget=forms.CheckboxSelectMultiple)
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect)
    owner_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), required=False, label="New owning agency")
    assignee = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, label="New assignee")
    due_on = forms.DateField(required=False, widget=DATE, label="New due date")
    status = forms.ChoiceField(choices=[("done", "Done"), ("dropped", "Dropped")], required=False, label="Close as")
    reason = forms.CharField(required=False, max_length=300, label="Reason (for dropped)")
    comment = forms.CharField(required=False, max_length=1000, label="Note for the log")

    def __init__(self, *args, coalition, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items
        _agency_and_assignee(self, coalition)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "reassign" and not data.get("owner_agency"):
            self.add_error("owner_agency", "Choose the agency that takes the items over.")
        if action == "extend" and not data.get("due_on"):
            self.add_error("due_on", "Choose the new due date.")
        if action == "close" and not data.get("status"):
            self.add_error("status", "Choose done or dropped.")
        if action == "close" and data.get("status") == "dropped" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the items are dropped.")
        person, agency = data.get("assignee"), data.get("owner_agency")
        if action == "reassign" and person and agency and person.agency_id != agency.pk:
            self.add_error("assignee", f"Choose a person of {agency}.")
        return data
