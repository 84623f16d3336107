"""The evidence page's forms: the area's lookup, police.uk files, and the months of counts to download."""

import re
from datetime import date

from django import forms

from actions.imports.reading import MAX_BYTES
from evidence.assessment import DEFAULT_TOP
from evidence.police import MAX_UPLOAD_BYTES

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
