"""The officers' publication forms: a strategy's publication and the partnership's help block, and an
item's hold-back and public wording."""

from django import forms

from actions.models import Action, DeliveryGroup, Objective

WORDING_HINT = (
    "Plain English for residents, shown on the public pages instead of the internal text. Leave blank to show "
    "the internal text. Never names or details of victims, offenders or other individuals."
)


class PublicationForm(forms.Form):
    published = forms.BooleanField(
        label="Publish this strategy",
        required=False,
        help_text="Anyone can then read its public page and open data without signing in: what is marked OFFICIAL "
        "and not held back.",
    )
    public_help = forms.CharField(
        label="How to get help",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown on the partnership's public page, for every strategy: how to report a crime, get support "
        "or keep safe. One paragraph per line.",
    )


class PublicItemForm(forms.ModelForm):
    class Meta:
        fields = ["held_back", "public_wording"]
        labels = {"held_back": "Hold back from the public pages", "public_wording": "Public wording"}
        help_texts = {
            "held_back": "Keeps it, and everything under it, off the public pages and open data.",
            "public_wording": WORDING_HINT,
        }
        widgets = {"public_wording": forms.Textarea(attrs={"rows": 4})}


# The kinds of item an officer can hold back, as they appear in the publication page's addresses.
ITEM_KINDS = {
    "group": (DeliveryGroup, "delivery group", "strategy"),
    "objective": (Objective, "objective", "delivery_group__strategy"),
    "action": (Action, "action", "strategy"),
}


def item_form_class(model):
    return forms.modelform_factory(model, form=PublicItemForm)
