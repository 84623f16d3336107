"""The lead's update form, with the rules councils apply to each status and RAG, and the officer's
form for a new strategy."""

from django import forms
from django.utils import timezone

from actions.models import CLOSED_STATUSES, RAG, RATED_STATUSES, Status
from strategy.models import Marking, Strategy

NO_CASE_DATA = "Do not include names or details of victims, offenders or other individuals."


def update_rule_errors(*, status, rag, progress, commentary, revised_due_date, approved_by):
    """What an update with these values still needs, as (field, message) pairs: the rules councils
    apply to each status and RAG. Every way of recording an update by hand (the update form, the back
    office) checks them; the fields are named as on the update form."""
    errors = []
    commentary = (commentary or "").strip()
    if status in RATED_STATUSES and not rag:
        errors.append(("rag", "Choose a RAG rating for an action that is In progress or Ongoing"))
    if status and status not in RATED_STATUSES and rag:
        label = Status(status).label
        message = f"Remove the RAG rating (choose No rating): an action that is {label} is not rated"
        errors.append(("rag", message))
        rag = ""
    if status == Status.COMPLETE and progress is not None and progress < 100:
        errors.append(("progress", f"Enter 100 for progress when the action is Complete, not {progress}"))
    if rag in (RAG.AMBER, RAG.RED) and not commentary:
        issue = "what is the issue, and what is being done about it"
        errors.append(("commentary", f"Enter a commentary for {RAG(rag).label}: {issue}"))
    if status == Status.COMPLETE and not commentary:
        errors.append(("commentary", "Enter a commentary saying what was delivered"))
    if status in (Status.DEFERRED, Status.WITHDRAWN):
        label = Status(status).label.lower()
        if not commentary:
            errors.append(("commentary", f"Enter a commentary saying why the action is {label}"))
        if not (approved_by or "").strip():
            errors.append(("approved_by", f"Enter who approved the action being {label}"))
    if (rag == RAG.RED or status == Status.DEFERRED) and not revised_due_date:
        reason = "a Red action" if rag == RAG.RED else "a deferred action"
        errors.append(("revised_due_date", f"Enter a revised due date for {reason}, like 31/03/2026"))
    return errors


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Status.choices, widget=forms.RadioSelect)
    rag = forms.ChoiceField(
        label="RAG rating",
        # A radio cannot be cleared, so "No rating" is one of them: for Not started, Complete and the rest.
        choices=[*RAG.choices, ("", "No rating")],
        required=False,
        widget=forms.RadioSelect,
        help_text="For actions In progress or Ongoing: Green is on track; Amber is at risk (issues identified "
        "or up to a month behind, with mitigation in place); Red is off track and will not deliver without "
        "intervention.",
    )
    progress = forms.IntegerField(
        label="Progress (per cent complete)",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        help_text="A whole number from 0 to 100.",
    )
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Needed for Amber or Red (what is the issue, and what is being done about it), Complete "
        "(what was delivered), Deferred and Withdrawn (why). " + NO_CASE_DATA,
    )
    revised_due_date = forms.DateField(
        label="Revised due date",
        required=False,
        help_text="Needed for Red and Deferred. For example, 31/03/2026",
    )
    decision_needed = forms.CharField(
        label="Decision needed from the Executive Group",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For Red: what the Executive Group must decide, if anything. Leave blank if nothing.",
    )
    approved_by = forms.CharField(
        label="Approved by",
        required=False,
        max_length=200,
        help_text="Needed for Deferred and Withdrawn: who approved it (a person or a meeting).",
    )
    evidence_url = forms.URLField(
        label="Link to evidence (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="For example, a link to a report on the council's document store.",
    )
    public_note = forms.CharField(
        label="Public note (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A sentence or two for residents, shown with this quarter's status on the public pages if the "
        "action is published. Plain English. " + NO_CASE_DATA,
    )
    recorded_on = forms.DateField(
        label="Date the update describes (optional)",
        required=False,
        help_text="Leave blank for today. An update for a quarter that has ended may be dated on its last day, "
        "for example 30/09/2025. A quarter whose update round is closed cannot be changed this way.",
    )
    seen_update = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_recorded_on(self):
        day = self.cleaned_data.get("recorded_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date the update describes must be today or in the past")
        return day

    def clean(self):
        data = super().clean()
        status = data.get("status")
        for name, message in update_rule_errors(
            status=status,
            rag=data.get("rag"),
            progress=data.get("progress"),
            commentary=data.get("commentary"),
            revised_due_date=data.get("revised_due_date"),
            approved_by=data.get("approved_by"),
        ):
            self.add_error(name, message)
        if status in CLOSED_STATUSES:
            data["revised_due_date"] = None
        return data

    def seen_update_id(self):
        """The id of the latest update when the form was opened; None when it had none.

        Anything unreadable counts as "none seen", so an altered form is checked, never waved through.
        """
        value = self.cleaned_data.get("seen_update") or ""
        return int(value) if value.isdigit() else None


class AsAtForm(forms.Form):
    """Which moment a page shows its counts as at: now, or the end of one of `quarters` (those of the
    strategy that have ended). `quarter` is the chosen one, or None for now or a choice not offered."""

    as_at = forms.ChoiceField(
        label="Show the counts as at",
        required=False,
        error_messages={"invalid_choice": "Choose a quarter of this strategy that has ended, or Now"},
    )

    def __init__(self, data=None, *, quarters):
        super().__init__(data)
        self.quarters = {quarter.slug: quarter for quarter in quarters}
        self.fields["as_at"].choices = [("", "Now"), *((slug, f"the end of {q}") for slug, q in self.quarters.items())]

    @property
    def quarter(self):
        return self.quarters.get(self.cleaned_data["as_at"]) if self.is_valid() else None


class StrategyForm(forms.ModelForm):
    """A new strategy: its name, period, handling marking and whether updates need sign-off. It is
    active at once, so its plan can be imported and its rounds opened."""

    requires_sign_off = forms.TypedChoiceField(
        label="Do updates need the delivery-group chair's sign-off?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="no",
        help_text="When yes, a lead's update counts only once the chair (or an officer) has approved it.",
        error_messages={"required": "Select whether updates need the chair's sign-off"},
    )

    class Meta:
        model = Strategy
        fields = ["title", "start_date", "end_date", "marking", "requires_sign_off"]
        labels = {"title": "Name", "start_date": "Start date", "end_date": "End date", "marking": "Handling marking"}
        help_texts = {
            "title": "For example, Safer Westminster Strategy 2026-2029.",
            # A strategy's period is whole financial years, so the examples start and end one.
            "start_date": "For example, 01/04/2026",
            "end_date": "For example, 31/03/2029",
            "marking": "The highest marking of anything in it; people not cleared for it will not see it.",
        }
        widgets = {"marking": forms.RadioSelect}
        error_messages = {
            "title": {"required": "Enter the strategy's name"},
            "start_date": {"required": "Enter the date the strategy starts", "invalid": "Enter a real date"},
            "end_date": {"required": "Enter the date the strategy ends", "invalid": "Enter a real date"},
        }

    def __init__(self, *args, partnership, clearance_markings, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.instance.status = Strategy.Status.ACTIVE
        self.fields["marking"].choices = [(v, lbl) for v, lbl in Marking.choices if v in clearance_markings]
        self.fields["marking"].initial = Marking.OFFICIAL

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if Strategy.objects.filter(partnership=self.instance.partnership, title__iexact=title).exists():
            raise forms.ValidationError(f"Your partnership already has a strategy called {title}: choose another name")
        return title

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date")
        return data

    def _post_clean(self):
        if not self.errors:
            self.instance.title = self.cleaned_data["title"]
            self.instance.start_date = self.cleaned_data["start_date"]
            self.instance.end_date = self.cleaned_data["end_date"]
            self.instance.choose_slug()
        super()._post_clean()
