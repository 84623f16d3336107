"""The forms of the import pages: upload a file, then confirm its preview (with the officer's choice
for each lead's name that matches no one: an existing person of the partnership, or a new one)."""

from django import forms
from django.utils.html import escape

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

    def __init__(self, *args, unknown_leads=(), people=(), lowered=0, **kwargs):
        """`unknown_leads`: the preview's names that match no one (Plan.unknown_leads); `people`: the
        partnership's people, any of whom a name may be mapped to."""
        super().__init__(*args, **kwargs)
        self.lowered = lowered  # how many markings the preview lists as lowered
        self.unknown_leads = list(unknown_leads)
        names = {person.pk: person.name for person in people}
        for index, entry in enumerate(self.unknown_leads):
            similar = [(str(pk), names[pk]) for pk in entry["similar"] if pk in names]
            others = [(str(pk), name) for pk, name in names.items() if pk not in entry["similar"]]
            choices = [(NEW_PERSON, f"Add {entry['name']} as a new person")]
            if similar:
                choices.append(("Similar names", similar))
            if others:
                choices.append(("Everyone else in the partnership" if similar else "The partnership's people", others))
            self.fields[lead_field(index)] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=entry["name"],
                help_text=_where(entry),
                initial=str(entry["person"]) if entry["person"] else NEW_PERSON,
                error_messages={
                    "invalid_choice": f"Choose who {entry['name']} is from the list, or add them as a new person"
                },
            )

    def clean(self):
        data = super().clean()
        if self.lowered and not data.get("lower_markings"):
            self.add_error(
                "lower_markings",
                "Tick the box to lower these markings, or correct the file and upload it again",
            )
        return data

    def lead_fields(self):
        return [self[lead_field(index)] for index in range(len(self.unknown_leads))]

    def lead_choices(self):
        """{name key: person pk} for each name the officer said is an existing person."""
        choices = {}
        for index, entry in enumerate(self.unknown_leads):
            value = self.cleaned_data.get(lead_field(index)) or NEW_PERSON
            if value != NEW_PERSON:
                choices[entry["key"]] = int(value)
        return choices


NEW_PERSON = "new"


def _where(entry):
    """Where the file names a lead, to help the officer tell who it is."""
    actions = entry.get("actions", 0)
    if not actions:
        return "Named as a group's chair."
    lead_of = f"Lead of {actions} action{'s' if actions != 1 else ''} in the file"
    place = entry.get("place", "")
    # Hints are rendered as HTML (Django's help_text): the sheet's name comes from the file.
    return escape(f"{lead_of}, the first on {place[:1].lower()}{place[1:]}." if place else f"{lead_of}.")


def lead_field(index):
    return f"lead_{index}"
