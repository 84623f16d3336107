"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A <select> for long lists (every lead, every objective of a plan), written in Python.

    Django renders each <option> through the template engine; for the action list's filters, with
    hundreds of leads and objectives, that was most of the page's time. Same markup as Select, with
    the attributes the GOV.UK control tag adds; option groups are written as <optgroup>.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        final_attrs = {key: value for key, value in final_attrs.items() if value is not False}
        options = format_html_join("", "{}", ((self._choice(v, label, selected),) for v, label in self.choices))
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)

    @classmethod
    def _choice(cls, value, label, selected):
        if isinstance(label, (list, tuple)):  # a group of options
            inner = format_html_join("", "{}", ((cls._choice(v, text, selected),) for v, text in label))
            return format_html('<optgroup label="{}">{}</optgroup>', value, inner)
        value = "" if value is None else str(value)
        return format_html('<option value="{}"{}>{}</option>', value, " selected" if value in selected else "", label)
