"""The forms of the import pages: upload a file, then confirm its preview."""

from django import forms

from actions.imports.reading import MAX_BYTES
from actions.models import ActionPlanImport


class ImportUploadForm(forms.Form):
    strategy = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        label="Strategy",
        help_text="The strategy whose action plan the file holds.",
        error_messages={"required": "Select the strategy", "invalid_choice": "Select a strategy from the list"},
    )
    file = forms.FileField(
        label="Action plan file",
        help_text=(
            "An Excel workbook (.xlsx), a .csv or an .ods file, up to 10 MB: one sheet per delivery group, or one "
            "table with a Delivery group column. Nothing is saved until you have seen what will change."
        ),
        error_messages={"required": "Select a file to import", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.ods"}),
    )

    def __init__(self, *args, strategies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = strategies

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked on the upload's size before anything reads it.
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The selected file is {upload.size / 1024 / 1024:.1f} MB: it must be smaller than 10 MB"
            )
        return upload


class ImportConfirmForm(forms.Form):
    blue_means = forms.ChoiceField(
        choices=ActionPlanImport.BlueMeans.choices,
        widget=forms.RadioSelect,
        required=False,
        label='What does "Blue" mean in this file?',
        help_text="Some councils use Blue for complete, others for within target. If you change this, the preview is "
        "made again before anything is imported.",
    )
    archive_missing = forms.BooleanField(
        required=False,
        label="Remove actions not in this file",
        help_text="They are archived, not deleted: their history is kept and they can be brought back by importing "
        "them again.",
    )
    lower_markings = forms.BooleanField(
        required=False,
        label="Lower these markings as the file says",
        help_text="The change is recorded in the audit trail with your name.",
    )

    def __init__(self, *args, lowered=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.lowered = lowered  # how many markings the preview lists as lowered

    def clean(self):
        data = super().clean()
        if self.lowered and not data.get("lower_markings"):
            self.add_error(
                "lower_markings",
                "Tick the box to lower these markings, or correct the file and upload it again",
            )
        return data
