"""Forms for the decision log: choosing a decision's owner, changing a decision (with a reason once its
meeting is held), closing one with a response, and marking a meeting held."""

from django import forms
from django.core.exceptions import ValidationError

from actions.forms import NO_CASE_DATA
from performance.models import Attendance, Challenge
from strategy.models import Organisation, Person
from strategy.widgets import LongSelect

PERSON, ORGANISATION = "person", "organisation"


def owner_choices(partnership_id):
    """The partnership's people and partner organisations, as "person:<pk>" and "organisation:<pk>"
    choices grouped for a select (two queries)."""
    people = Person.objects.filter(partnership_id=partnership_id).order_by("name").values_list("pk", "name")
    organisations = (
        Organisation.objects.filter(partnership_id=partnership_id).order_by("name").values_list("pk", "name")
    )
    return [
        ("", "Choose the owner"),
        ("People", [(f"{PERSON}:{pk}", name) for pk, name in people]),
        ("Partner organisations", [(f"{ORGANISATION}:{pk}", name) for pk, name in organisations]),
    ]


def owner_value(decision):
    if decision.owner_person_id:
        return f"{PERSON}:{decision.owner_person_id}"
    if decision.owner_organisation_id:
        return f"{ORGANISATION}:{decision.owner_organisation_id}"
    return ""


def set_owner(decision, value):
    """Point `decision` at the owner chosen as `value` (a choice from owner_choices)."""
    kind, _, pk = (value or "").partition(":")
    decision.owner_person_id = int(pk) if kind == PERSON else None
    decision.owner_organisation_id = int(pk) if kind == ORGANISATION else None
    if decision.owner_person_id or decision.owner_organisation_id:
        decision.owner_text = ""


class OwnerField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Owner")
        kwargs.setdefault("help_text", "The person or partner organisation who is to act on it.")
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose an owner from the list"})
        kwargs.setdefault("widget", LongSelect)  # every person and organisation of the partnership
        super().__init__(**kwargs)


class DecisionChangeForm(forms.Form):
    """What a decision says. Once its meeting is held, a change is a correction and needs a reason."""

    text = forms.CharField(
        label="What was decided",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=NO_CASE_DATA,
        error_messages={"required": "Enter what was decided"},
    )
    owner = OwnerField(
        error_messages={"required": "Choose the owner", "invalid_choice": "Choose an owner from the list"}
    )
    due_date = forms.DateField(
        label="Due date",
        help_text="For example, 31/1/2027",
        error_messages={"required": "Enter the due date", "invalid": "Enter the due date as a date, like 31/1/2027"},
    )
    reason = forms.CharField(
        label="Why it is being corrected",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The meeting has been marked held: the audit trail keeps this reason beside the change.",
    )

    def __init__(self, *args, decision, **kwargs):
        self.decision = decision
        kwargs.setdefault(
            "initial",
            {"text": decision.text, "owner": owner_value(decision), "due_date": decision.due_date},
        )
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices(decision.meeting.strategy.partnership_id)
        if not decision.meeting.is_held:
            del self.fields["reason"]

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError("Enter what was decided")
        return text

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Enter why what was recorded at the held meeting is being corrected")
        return reason

    def apply(self):
        """The decision with the changes made, unsaved (its reason, if any, set for the history)."""
        decision, data = self.decision, self.cleaned_data
        decision.text, decision.due_date = data["text"], data["due_date"]
        set_owner(decision, data["owner"])
        if data.get("reason"):
            decision._change_reason = f"Correction: {data['reason']}"
        return decision


class DecisionCloseForm(forms.Form):
    """Close a decision: done, with what was done; or (officers only) dropped, with why."""

    state = forms.ChoiceField(
        label="Close it as",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose done or dropped", "invalid_choice": "Choose done or dropped"},
    )
    response = forms.CharField(
        label="Response",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="What was done; or, to drop it, why. " + NO_CASE_DATA,
        error_messages={"required": "Enter the response: what was done, or why it is dropped"},
    )

    def __init__(self, *args, may_drop, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(Challenge.State.DONE, "Done")]
        if may_drop:
            choices.append((Challenge.State.DROPPED, "Dropped"))
        self.fields["state"].choices = choices
        self.fields["state"].initial = Challenge.State.DONE
        # An owner only closes it as done: the form need not ask.
        self.fields["state"].required = may_drop

    def clean_state(self):
        return self.cleaned_data["state"] or Challenge.State.DONE

    def clean_response(self):
        response = self.cleaned_data["response"].strip()
        if not response:
            raise ValidationError("Enter the response: what was done, or why it is dropped")
        return response


class MeetingCorrectionForm(forms.Form):
    """The reason for changing a held meeting's record."""

    reason = forms.CharField(
        label="Why it is being corrected",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The meeting has been marked held: the audit trail keeps this reason beside the change.",
        error_messages={"required": "Enter why what was recorded at the held meeting is being corrected"},
    )


NOT_RECORDED = ""


class AttendanceForm(forms.Form):
    """Who attended the meeting, sent apologies or was absent: one choice for each of the partnership's
    people. Once the meeting is held, a change is a correction with a reason, and what was recorded
    is changed, never removed."""

    reason = forms.CharField(
        label="Why it is being corrected",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The meeting has been marked held: the audit trail keeps this reason beside the change.",
    )

    def __init__(self, *args, meeting, people, recorded, **kwargs):
        """`people`: the partnership's people, in order; `recorded`: {person pk: Attendance}."""
        self.meeting, self.people, self.recorded = meeting, people, recorded
        super().__init__(*args, **kwargs)
        for person in people:
            self.fields[f"person_{person.pk}"] = forms.ChoiceField(
                label=person.name,
                required=False,
                choices=[(NOT_RECORDED, "Not recorded"), *Attendance.State.choices],
                initial=recorded[person.pk].state if person.pk in recorded else NOT_RECORDED,
                help_text=person.organisation.name if person.organisation_id else "",
                error_messages={"invalid_choice": f"Choose attended, apologies or absent for {person.name}"},
            )
        if not meeting.is_held:
            del self.fields["reason"]

    def person_fields(self):
        return [self[f"person_{person.pk}"] for person in self.people]

    def changes(self):
        """[(person, Attendance or None, new state or NOT_RECORDED)] for each person whose entry changes."""
        found = []
        for person in self.people:
            row = self.recorded.get(person.pk)
            state = self.cleaned_data.get(f"person_{person.pk}", NOT_RECORDED)
            if state != (row.state if row else NOT_RECORDED):
                found.append((person, row, state))
        return found

    def clean(self):
        data = super().clean()
        if self.errors or not self.meeting.is_held:
            return data
        for person, row, state in self.changes():
            if row is not None and state == NOT_RECORDED:
                self.add_error(
                    f"person_{person.pk}",
                    f"The meeting has been marked held: {person.name}'s attendance is kept. Choose absent "
                    "instead if they were not there",
                )
        if self.changes() and not data.get("reason", "").strip():
            self.add_error("reason", "Enter why the attendance at the held meeting is being corrected")
        return data

    def save(self):
        """Record the changes (in the caller's transaction); returns how many people's entries changed."""
        reason = (self.cleaned_data.get("reason") or "").strip()
        changes = self.changes()
        for person, row, state in changes:
            if state == NOT_RECORDED:
                row.delete()
                continue
            row = row or Attendance(meeting=self.meeting, person=person)
            row.state = state
            if reason:
                row._change_reason = f"Correction: {reason}"
            row.save()
        return len(changes)
