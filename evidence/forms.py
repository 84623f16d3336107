"""The evidence pages' forms: the area's lookup, police.uk files, the months of counts to download, and
an indicator computed from the counts."""

import re
from datetime import date

from django import forms

from actions.imports.reading import MAX_BYTES
from evidence.assessment import DEFAULT_TOP
from evidence.crime_indicators import crime_indicator_save
from evidence.crime_types import POLICE_UK_CRIME_TYPES
from evidence.models import CrimeCount, CrimeIndicator, Ward
from evidence.police import MAX_UPLOAD_BYTES
from performance.models import Indicator

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class AreaLookupForm(forms.Form):
    local_authorities = forms.CharField(
        label="Local authority codes",
        help_text="The ONS code of each local authority the partnership covers, separated by commas, e.g. E09000033.",
        error_messages={"required": "Enter the code of at least one local authority, e.g. E09000033"},
    )
    file = forms.FileField(
        label="ONS LSOA to ward lookup (CSV)",
        help_text="LSOA (2021) to electoral ward to local authority, best fit, as CSV, up to 10 MB.",
        error_messages={"required": "Select the lookup file", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv"}),
    )

    def clean_local_authorities(self):
        return [code.strip().upper() for code in re.split(r"[\s,;]+", self.cleaned_data["local_authorities"]) if code]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The selected file is {upload.size / 1024 / 1024:.1f} MB: it must be smaller than 10 MB"
            )
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            # No file chosen arrives as an empty list: the field's own "required" error, not an empty import.
            return [single(item, initial) for item in data] if data else [single(None, initial)]
        return [single(data, initial)]


class PoliceUploadForm(forms.Form):
    files = MultipleFileField(
        label="police.uk street-level files",
        help_text="The zip archive as downloaded from data.police.uk, or one or more monthly street-level CSV files "
        f"(named like 2024-01-metropolitan-street.csv), up to {MAX_UPLOAD_BYTES // 1024 // 1024} MB in all.",
        error_messages={"required": "Select the files to import", "empty": "The selected file is empty"},
        widget=MultipleFileInput(attrs={"accept": ".zip,.csv"}),
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        if sum(upload.size for upload in uploads) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The selected files are more than {MAX_UPLOAD_BYTES // 1024 // 1024} MB: import fewer months at once"
            )
        if len(uploads) > 1 and any(not upload.name.lower().endswith(".csv") for upload in uploads):
            raise forms.ValidationError("Upload a zip archive on its own, or one or more CSV files")
        return uploads


class CrimeCountsForm(forms.Form):
    start = forms.CharField(label="From (YYYY-MM)", error_messages={"required": "Enter the first month, e.g. 2024-01"})
    end = forms.CharField(label="To (YYYY-MM)", error_messages={"required": "Enter the last month, e.g. 2024-12"})

    def _month(self, name):
        value = self.cleaned_data[name].strip()
        if not MONTH.match(value):
            raise forms.ValidationError("Enter a month as YYYY-MM, e.g. 2024-01")
        return value

    def clean_start(self):
        return self._month("start")

    def clean_end(self):
        return self._month("end")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The last month must be the same as or after the first")
        return data


class AssessmentForm(forms.Form):
    """The assessment page's choices, from the query string (bookmarkable): the window's last month,
    the crime types and wards counted, and how many wards the concentration names. The choices are
    what the partnership holds (evidence.assessment.AssessmentOptions)."""

    end = forms.ChoiceField(
        label="12 months ending with",
        required=False,
        help_text="Compared with the 12 months before.",
    )
    top = forms.IntegerField(
        label="Wards the concentration names",
        required=False,
        min_value=1,
        help_text="The share of crime in this many wards with the most.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"invalid": "Enter the number of wards as a whole number, e.g. 2"},
    )
    type = forms.MultipleChoiceField(
        label="Crime types",
        required=False,
        help_text="None ticked: all crime (every type but anti-social behaviour).",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={"invalid_choice": "Choose crime types from the list: %(value)s is not one held"},
    )
    ward = forms.MultipleChoiceField(
        label="Wards",
        required=False,
        help_text="None ticked: the whole area. Concentration is always across the whole area.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={"invalid_choice": "Choose wards from the list: %(value)s is not a ward of the area"},
    )

    def __init__(self, data, *, options):
        months = options.end_months
        ward_count = sum(1 for ward in options.wards if ward.retired_by_id is None)
        # What is not chosen shows as what the figures use: the latest month, and two wards.
        data = data.copy()
        if months and not data.get("end"):
            data["end"] = f"{months[0]:%Y-%m}"
        if not data.get("top"):
            data["top"] = str(min(DEFAULT_TOP, max(ward_count - 1, 1)))
        super().__init__(data)
        self.options = options
        self.ward_count = ward_count
        self.fields["end"].choices = [(f"{month:%Y-%m}", f"{month:%B %Y}") for month in months]
        self.fields["end"].error_messages["invalid_choice"] = (
            f"Choose a month from {months[-1]:%B %Y} to {months[0]:%B %Y}: police.uk data is held for those"
            if months
            else "No police.uk data is held yet, so there is no month to choose"
        )
        self.fields["type"].choices = [(crime_type, crime_type) for crime_type in options.crime_types]
        self.fields["ward"].choices = [
            (ward.code, ward.name if ward.retired_by_id is None else f"{ward.name} (former ward)")
            for ward in options.wards
        ]
        self.fields["top"].error_messages["min_value"] = "Enter a number of wards of 1 or more"

    def clean_end(self):
        value = self.cleaned_data["end"]
        if not value:
            return self.options.months_held[0] if self.options.months_held else None
        year, month = value.split("-")
        return date(int(year), int(month), 1)

    def clean_top(self):
        value = self.cleaned_data["top"]
        if value is None:
            return min(DEFAULT_TOP, max(self.ward_count - 1, 1))
        if value >= self.ward_count > 1:  # an area of one ward has no concentration to show, whatever is asked
            raise forms.ValidationError(f"Enter a number of wards smaller than the area's {self.ward_count}")
        return value


class CrimeIndicatorForm(forms.Form):
    """An indicator computed from the crime counts: what it counts, where, over what period, and how it is
    judged. New, it also names its strategy and reference; changed, its values are computed again."""

    strategy = forms.ModelChoiceField(
        queryset=None,
        label="Strategy",
        empty_label=None,
        error_messages={"required": "Select the strategy", "invalid_choice": "Select one of the strategies listed"},
    )
    ref = forms.CharField(
        label="Reference",
        max_length=20,
        help_text="Unique within the strategy, e.g. KPI-C1.",
        error_messages={"required": "Enter a reference, e.g. KPI-C1"},
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="e.g. Violence against the person, West End ward",
        error_messages={"required": "Enter the indicator's name"},
        # Names are long: wrapped on a phone rather than scrolled sideways in a one-line input.
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    crimes = forms.ChoiceField(
        label="What it counts",
        choices=CrimeIndicator.Crimes.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what it counts", "invalid_choice": "Select what it counts from the list"},
    )
    crime_types = forms.MultipleChoiceField(
        label="Crime types",
        required=False,
        help_text='As police.uk names them: only when you selected "The crime types chosen". Violence against the '
        'person is in "Violence and sexual offences".',
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={"invalid_choice": "Select crime types from the list"},
    )
    wards = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Wards",
        required=False,
        help_text="Select none to count the whole area.",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        error_messages={
            "invalid_choice": "Select wards from the list",
            "invalid_pk_value": "Select wards from the list",
        },
    )
    period_kind = forms.ChoiceField(
        label="Period of each figure",
        choices=CrimeIndicator.PeriodKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the period of each figure",
            "invalid_choice": "Select the period of each figure from the list",
        },
    )
    kind = forms.ChoiceField(
        label="Type",
        choices=Indicator.Kind.choices,
        initial=Indicator.Kind.PERFORMANCE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of indicator", "invalid_choice": "Select a type from the list"},
    )
    polarity = forms.ChoiceField(
        label="Which way is better",
        choices=Indicator.Polarity.choices,
        initial=Indicator.Polarity.LOWER_IS_BETTER,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select which way is better",
            "invalid_choice": "Select which way is better from the list",
        },
    )
    target_value = forms.DecimalField(
        label="Target (optional)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=0,
        help_text="The count to reach in each period, e.g. 40.",
        error_messages={
            "invalid": "Enter the target as a whole number, e.g. 40",
            "min_value": "The target cannot be below zero",
            "max_decimal_places": "Enter the target as a whole number, e.g. 40",
            "max_digits": "The target is too large",
        },
    )
    amber_tolerance = forms.DecimalField(
        label="Amber tolerance (%)",
        initial=5,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="How far worse than the target (as a % of it) is still Amber rather than Red.",
        error_messages={
            "required": "Enter the amber tolerance, e.g. 5",
            "invalid": "Enter the amber tolerance as a number, e.g. 5",
            "min_value": "The amber tolerance must be between 0 and 100",
            "max_value": "The amber tolerance must be between 0 and 100",
            "max_decimal_places": "Use at most 2 decimal places for the amber tolerance",
        },
    )
    comparator_name = forms.CharField(
        label="Comparator (optional)",
        max_length=200,
        required=False,
        help_text="e.g. Met-wide figure; its figures are not computed.",
    )

    def __init__(self, *args, partnership, strategies, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.indicator = indicator
        self.fields["strategy"].queryset = strategies
        if indicator is not None:
            del self.fields["strategy"]
        wards = Ward.objects.filter(partnership=partnership).select_related("retired_by")
        self.fields["wards"].queryset = wards
        self.fields["wards"].label_from_instance = lambda ward: (
            f"{ward.name} (no longer in the area)" if ward.retired_by_id else ward.name
        )
        held = CrimeCount.objects.filter(partnership=partnership).values_list("crime_type", flat=True).distinct()
        types = sorted({*POLICE_UK_CRIME_TYPES, *held.order_by()})
        self.fields["crime_types"].choices = [(name, name) for name in types]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        if not Ward.objects.filter(partnership=self.partnership).exists():
            raise forms.ValidationError(
                "The partnership has no area yet: load the ONS lookup on the evidence page first, so crime can be "
                "counted by ward"
            )
        crimes, types = data.get("crimes"), data.get("crime_types")
        if crimes == CrimeIndicator.Crimes.TYPES and not types and "crime_types" not in self.errors:
            self.add_error("crime_types", 'Select at least one crime type, or select "All crime"')
        if crimes and crimes != CrimeIndicator.Crimes.TYPES and types:
            self.add_error(
                "crime_types", 'Crime types are counted only with "The crime types chosen": select it, or clear them'
            )
        kind, polarity = data.get("kind"), data.get("polarity")
        if kind == Indicator.Kind.CONTEXTUAL and data.get("target_value") is not None:
            self.add_error("target_value", "A contextual indicator is never rated, so it has no target: clear it")
        if kind == Indicator.Kind.PERFORMANCE and polarity == Indicator.Polarity.NEITHER:
            self.add_error("polarity", "A performance indicator is rated: select whether higher or lower is better")
        strategy = self.indicator.strategy if self.indicator is not None else data.get("strategy")
        ref = (data.get("ref") or "").strip()
        if strategy is not None and ref:
            taken = Indicator.objects.filter(strategy=strategy, ref=ref)
            if self.indicator is not None:
                taken = taken.exclude(pk=self.indicator.pk)
            if taken.exists():
                self.add_error("ref", f"{ref} is already the reference of another indicator of {strategy.title}")
        data["ref"] = ref
        return data

    def save(self, *, by=None):
        """The indicator and its definition, saved, with its values computed."""
        data = self.cleaned_data
        indicator = self.indicator or Indicator(strategy=data["strategy"])
        definition = getattr(indicator, "crime_definition", None) if indicator.pk else None
        definition = definition or CrimeIndicator()
        indicator.ref, indicator.name = data["ref"], data["name"]
        indicator.kind, indicator.polarity = data["kind"], data["polarity"]
        target = data["target_value"]
        indicator.target_kind = Indicator.TargetKind.ABSOLUTE if target is not None else Indicator.TargetKind.NONE
        indicator.target_value = target
        indicator.amber_tolerance = data["amber_tolerance"]
        indicator.comparator_name = data["comparator_name"].strip()
        definition.crimes, definition.crime_types = data["crimes"], sorted(data["crime_types"])
        definition.period_kind = data["period_kind"]
        return crime_indicator_save(definition=definition, indicator=indicator, wards=list(data["wards"]), by=by)

    @classmethod
    def initial_for(cls, definition):
        indicator = definition.indicator
        return {
            "ref": indicator.ref,
            "name": indicator.name,
            "crimes": definition.crimes,
            "crime_types": definition.crime_types,
            "wards": list(definition.wards.all()),
            "period_kind": definition.period_kind,
            "kind": indicator.kind,
            "polarity": indicator.polarity,
            "target_value": indicator.target_value if indicator.target_kind == Indicator.TargetKind.ABSOLUTE else None,
            "amber_tolerance": indicator.amber_tolerance,
            "comparator_name": indicator.comparator_name,
        }
