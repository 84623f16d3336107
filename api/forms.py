import datetime

from django import forms
from django.utils import timezone

from strategy.models import Marking

LONGEST_KEY = datetime.timedelta(days=3 * 366)


class APIKeyForm(forms.Form):
    """A new key: who it is for, the highest marking it reads (up to the officer's own), its expiry."""

    name = forms.CharField(
        label="Who or what will use the key",
        max_length=50,
        help_text="For example, Council Power BI. Up to 50 characters.",
        error_messages={
            "required": "Enter who or what will use the key",
            "max_length": "Keep the name to 50 characters or fewer",
        },
    )
    clearance = forms.ChoiceField(
        label="Highest marking it may read",
        widget=forms.RadioSelect,
        help_text="It reads your partnership's data marked up to this, published or not.",
        error_messages={"required": "Select the highest marking the key may read"},
    )
    expires_on = forms.DateField(
        label="Expiry date",
        help_text="The last day it works. For example, 31/03/2027",
        error_messages={"required": "Enter the date the key expires", "invalid": "Enter a real date, like 31/03/2027"},
    )

    def __init__(self, *args, clearances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clearance"].choices = [(value, Marking(value).label) for value in clearances]
        self.fields["clearance"].initial = Marking.OFFICIAL

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError("The expiry date must be today or later")
        if day > today + LONGEST_KEY:
            raise forms.ValidationError("The expiry date must be within 3 years: make a new key when it runs out")
        return day
