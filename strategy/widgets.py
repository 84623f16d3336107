"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


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
        # Safe: _choice escapes every value and label it writes.
        options = "".join(self._choice(v, label, selected) for v, label in self.choices)
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe(options))  # noqa: S308

    @classmethod
    def _choice(cls, value, label, selected):
        """One option (or group) as escaped text; format_html per option cost ~8 µs, and the action
        list writes several hundred."""
        if isinstance(label, (list, tuple)):  # a group of options
            inner = "".join(cls._choice(v, text, selected) for v, text in label)
            return f'<optgroup label="{conditional_escape(value)}">{inner}</optgroup>'
        value = "" if value is None else str(value)
        chosen = " selected" if value in selected else ""
        return f'<option value="{conditional_escape(value)}"{chosen}>{conditional_escape(label)}</option>'
