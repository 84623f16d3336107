"""Forms for indicator values: enter a period's figure, correct one, upload a file of them.

Both value forms check the figure against the indicator's unit (a percentage is 0 to 100, a count
is not negative) and the period against its frequency (a quarterly indicator takes quarters),
refuse a future period, and for a new figure a period that already has one. The messages are the
ones the spreadsheet import gives for the same mistakes (performance.indicators).
"""

from decimal import Decimal

from django import forms
from django.utils import timezone

from actions.forms import NO_CASE_DATA
from actions.imports.reading import MAX_BYTES
from performance.indicators import (
    InvalidPeriod,
    Period,
    format_value,
    parse_number,
    period_problem,
    period_type_of,
    rounded,
    value_from_parts,
    value_problem,
)

PERIOD_HINTS = {
    "month": 'The month, for example "Sep 2019" or "2019-09".',
    "quarter": 'The financial-year quarter, for example "2019/20 Q2" (July to September 2019).',
    "year": 'The financial year, for example "2019/20".',
}
NUMBER_INPUT = {"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false"}


class ValueForm(forms.Form):
    """A new figure for one period of `indicator`."""

    period = forms.CharField(
        label="Period",
        max_length=40,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        error_messages={"required": "Enter the period the figure is for"},
    )
    value = forms.CharField(
        label="Value",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs=NUMBER_INPUT),
    )
    numerator = forms.CharField(
        label="Numerator (optional)", required=False, max_length=40, widget=forms.TextInput(attrs=NUMBER_INPUT)
    )
    denominator = forms.CharField(
        label="Denominator (optional)", required=False, max_length=40, widget=forms.TextInput(attrs=NUMBER_INPUT)
    )
    data_to = forms.DateField(
        label='"Data to" date (optional)',
        required=False,
        help_text="The last day the figure covers, if it is not the end of the period. For example, 15/09/2019",
        error_messages={"invalid": 'Enter the "data to" date as a real date, like 15/09/2019'},
    )
    comparator_value = forms.CharField(
        label="Comparator's value (optional)",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs=NUMBER_INPUT),
    )
    commentary = forms.CharField(
        label="Commentary (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What explains the figure. " + NO_CASE_DATA,
    )
    data_quality_note = forms.CharField(
        label="Data quality note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, a part month, a change in recording, or figures still to be validated.",
    )

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["period"].help_text = PERIOD_HINTS[period_type_of(indicator)]
        unit = indicator.get_unit_display()
        self.fields["value"].help_text = {
            "percentage": "A percentage from 0 to 100, without the % sign. Leave blank to work it out from the "
            "numerator and denominator.",
            "money": "In pounds, for example 12500.",
        }.get(indicator.unit, f"{unit}. Leave blank to work it out from the numerator and denominator.")
        if indicator.unit in ("count", "money"):
            del self.fields["numerator"], self.fields["denominator"]
            self.fields["value"].help_text = {"count": "A whole number or a decimal, 0 or more."}.get(
                indicator.unit, self.fields["value"].help_text
            )
        if indicator.comparator_name:
            self.fields["comparator_value"].label = f"{indicator.comparator_name} (optional)"
            self.fields["comparator_value"].help_text = "The comparator's figure for the same period, if known."

    def _number(self, name, label):
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return parse_number(text)
        except ValueError:
            self.add_error(name, f"Enter the {label} as a number, like 14 or 14.5")
            return None

    def clean_period(self):
        try:
            return Period.parse(self.cleaned_data["period"])
        except InvalidPeriod as error:
            raise forms.ValidationError(_sentence(str(error))) from None

    def clean(self):
        data = super().clean()
        indicator = self.indicator
        value = self._number("value", "value")
        numerator = self._number("numerator", "numerator") if "numerator" in self.fields else None
        denominator = self._number("denominator", "denominator") if "denominator" in self.fields else None
        comparator_value = self._number("comparator_value", "comparator's value")
        if self.errors:
            return data
        if denominator is not None and denominator <= 0:
            self.add_error("denominator", "Enter a denominator greater than 0")
            return data
        if (numerator is None) != (denominator is None):
            missing = "denominator" if denominator is None else "numerator"
            self.add_error(missing, f"Enter the {missing} too, or leave both blank")
            return data
        worked_out = value_from_parts(indicator, numerator, denominator)
        if value is None:
            if worked_out is None:
                self.add_error("value", "Enter the value, or its numerator and denominator")
                return data
            value = rounded(worked_out, 3)
        elif worked_out is not None and abs(worked_out - value) >= Decimal(1).scaleb(-indicator.decimal_places):
            # Either rounding of the worked-out figure is accepted; anything further is a typing mistake.
            self.add_error(
                "value",
                f"The value {format_value(indicator, value)} does not match {numerator.normalize():f} out of "
                f"{denominator.normalize():f} ({format_value(indicator, worked_out)}): correct one of them",
            )
            return data
        for name, number in (("value", value), ("comparator_value", comparator_value)):
            if number is not None and (problem := value_problem(indicator, number)):
                self.add_error(name, _sentence(problem))
        period = data.get("period")
        if period is not None:
            if problem := period_problem(indicator, period):
                self.add_error("period", _sentence(problem))
            else:
                self._check_period(period)
            data_to = data.get("data_to")
            if data_to and not (period.start <= data_to <= period.end):
                self.add_error(
                    "data_to",
                    f'The "data to" date must be within {period} ({period.start:%d/%m/%Y} to {period.end:%d/%m/%Y})',
                )
            elif data_to and data_to > timezone.localdate():
                self.add_error("data_to", 'The "data to" date must be today or earlier')
        data.update(value=value, numerator=numerator, denominator=denominator, comparator_value=comparator_value)
        return data

    def _check_period(self, period):
        existing = self.indicator.values.current().filter(period_start=period.start).first()
        if existing is not None:
            self.add_error(
                "period",
                f"{period} already has a figure ({format_value(self.indicator, existing.value)}): to change it, "
                "correct that value from the indicator's page",
            )


class ValueCorrectionForm(ValueForm):
    """A corrected figure for a period that has one: the old one stays in the history."""

    correction_reason = forms.CharField(
        label="Why is it being corrected?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, late-recorded crimes added, or a counting error found.",
        error_messages={"required": "Enter why the value is being corrected"},
    )
    seen_value = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["value", "numerator", "denominator", "data_to", "comparator_value", "correction_reason"]

    def __init__(self, *args, current, **kwargs):
        self.current = current
        super().__init__(*args, **kwargs)
        # The period is the corrected value's, fixed.
        self.fields["period"].required = False
        self.fields["period"].widget = forms.HiddenInput()

    def clean_period(self):
        return Period(self.current.period_start, self.current.period_type)

    def _check_period(self, period):
        pass


class ValueImportUploadForm(forms.Form):
    strategy = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        label="Strategy",
        help_text="The strategy whose indicators the file holds values for.",
        error_messages={"required": "Select the strategy", "invalid_choice": "Select a strategy from the list"},
    )
    file = forms.FileField(
        label="Values file",
        help_text="An Excel workbook (.xlsx), a .csv or an .ods file, up to 10 MB, with the columns Indicator, "
        "Period, Value and Note. Nothing is saved until you have seen what will change.",
        error_messages={"required": "Select a file to import", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.ods"}),
    )

    def __init__(self, *args, strategies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = strategies

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The selected file is {upload.size / 1024 / 1024:.1f} MB: it must be smaller than 10 MB"
            )
        return upload


def _sentence(text):
    """A message from performance.indicators as a form error: capital first, no full stop."""
    text = text.rstrip(".")
    return text[:1].upper() + text[1:]
