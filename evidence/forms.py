"""The evidence page's forms: the area's lookup, police.uk files, and the months of counts to download."""

import re

from django import forms

from actions.imports.reading import MAX_BYTES
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
