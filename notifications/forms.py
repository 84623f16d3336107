"""The e-mail settings form: one choice per kind of notification."""

from django import forms

from notifications.models import Frequency, Kind, digest_label


class PreferencesForm(forms.Form):
    def __init__(self, *args, frequencies, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            choices = [(Frequency.AT_ONCE, "At once"), (Frequency.DIGEST, digest_label(kind)), (Frequency.OFF, "Off")]
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=choices,
                initial=frequencies[kind],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose how to be told of {kind.label.lower()}",
                    "invalid_choice": f"Choose at once, {digest_label(kind).lower()} or off",
                },
            )

    def changed_frequencies(self):
        return {Kind(name): self.cleaned_data[name] for name in self.changed_data}
