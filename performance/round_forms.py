"""Forms of the update-round pages: opening a round, moving its deadline, sign-off and corrections."""

from django import forms

from actions.forms import ActionUpdateForm
from performance import rounds
from strategy.periods import Quarter

REMINDER_HELP = "Working days before the deadline, for example 3. Leads who have not updated by then are reminded."


def quarter_choices(strategy, today=None):
    """The strategy's quarters a round is opened for, newest first, as (slug, label): the current
    quarter and the four before it, within the strategy's period; for a strategy that has ended, its
    last five; for one not begun, its first."""
    current = Quarter.current() if today is None else Quarter.containing(today)
    first, last = Quarter.containing(strategy.start_date), Quarter.containing(strategy.end_date)
    quarter, choices = max(min(current, last), first), []
    while len(choices) < 5 and quarter >= first:
        choices.append((quarter.slug, f"{quarter} ({quarter.months})"))
        quarter = quarter.previous()
    return choices


class RoundStrategyForm(forms.Form):
    """The first step of opening a round: which strategy (its quarters are the next step's choices)."""

    strategy = forms.ModelChoiceField(
        label="Strategy",
        queryset=None,
        empty_label=None,
        to_field_name="slug",
        help_text="Only active strategies have rounds.",
    )

    def __init__(self, *args, strategies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = strategies


class RoundOpenForm(forms.Form):
    strategy = forms.ModelChoiceField(
        label="Strategy", queryset=None, empty_label=None, help_text="Only active strategies have rounds."
    )
    quarter = forms.ChoiceField(
        label="Quarter the updates are for",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the quarter the updates are for"},
    )
    meeting = forms.ModelChoiceField(
        label="Meeting the round serves (optional)",
        queryset=None,
        required=False,
        empty_label="No meeting",
        help_text="The deadline is then ten working days before the meeting, unless you enter one.",
    )
    deadline = forms.DateField(
        label="Deadline for updates",
        required=False,
        help_text="For example, 13/10/2025. Leave blank to set it ten working days before the meeting.",
    )
    reminder_days = forms.IntegerField(
        label="Send the reminder this many working days before the deadline",
        min_value=0,
        max_value=20,
        initial=3,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
        help_text=REMINDER_HELP,
    )

    def __init__(self, *args, strategies, strategy, meetings=None, **kwargs):
        """`strategy` is the one chosen in the first step: the quarters offered are its own."""
        kwargs.setdefault("initial", {})["strategy"] = strategy.pk
        super().__init__(*args, **kwargs)
        self.strategy = strategy
        self.fields["strategy"].queryset = strategies
        self.fields["strategy"].widget = forms.HiddenInput()
        self.fields["quarter"].choices = quarter_choices(strategy)
        first, last = Quarter.containing(strategy.start_date), Quarter.containing(strategy.end_date)
        self.fields["quarter"].error_messages["invalid_choice"] = (
            f"Choose a quarter of {strategy}, which runs from {first} to {last}"
        )
        if meetings is None:
            del self.fields["meeting"]
            self.fields["deadline"].required = True
            self.fields["deadline"].help_text = "For example, 13/10/2025."
        else:
            self.fields["meeting"].queryset = meetings

    def clean_quarter(self):
        return Quarter.from_slug(self.cleaned_data["quarter"])

    def clean(self):
        """What was typed, then the rules of a round (performance.rounds.round_problems), so every
        problem shows at once."""
        data = super().clean()
        if data.get("strategy") is not None:
            fields = {name: data.get(name) for name in ("quarter", "deadline", "meeting")}
            for name, messages in rounds.round_problems(strategy=data["strategy"], **fields).items():
                if name not in self.errors and name in self.fields:
                    for message in messages:
                        self.add_error(name, message)
        return data


class RoundChangeForm(forms.Form):
    deadline = forms.DateField(label="Deadline for updates", help_text="For example, 13/10/2025.")
    reminder_days = forms.IntegerField(
        label="Send the reminder this many working days before the deadline",
        min_value=0,
        max_value=20,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
        help_text=REMINDER_HELP,
    )

    # Its rules are performance.rounds.round_change's.


class SignOffForm(forms.Form):
    DECISIONS = [("approve", "Approve"), ("return", "Return to the lead")]

    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you return the update: say what the lead should change.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Enter a comment saying what the lead should change")
        return data


class UpdateCorrectionForm(ActionUpdateForm):
    """The update form's rules, for a closed quarter, with the reason the record is being corrected."""

    quarter = forms.ChoiceField(label="Closed quarter to correct", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason for the correction",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the record for that quarter was wrong. It is kept in the action's history with your name.",
        error_messages={"required": "Enter why the closed quarter's record is being corrected"},
    )

    field_order = [
        "quarter",
        "status",
        "rag",
        "progress",
        "commentary",
        "revised_due_date",
        "decision_needed",
        "approved_by",
        "evidence_url",
        "reason",
    ]

    def __init__(self, *args, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["recorded_on"]
        del self.fields["seen_update"]
        self.fields["quarter"].choices = [(q.slug, f"{q} ({q.months})") for q in quarters]
        self.order_fields(self.field_order)

    def clean_quarter(self):
        return Quarter.from_slug(self.cleaned_data["quarter"])
