"""Form widgets shared by the apps."""

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A <select> for long lists (every lead, every objective of a plan), written in Python.

    Django renders each <option> through the template engine; for the action list's filters, with
    hundreds of leads and objectives, that was most of the page's time, and a page of many selects
    (as the action list is) pays for it on every short one too. Same markup as Select, with the
    attributes the GOV.UK control tag adds; option groups are written as <optgroup>.
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
        """One option (or group) as escaped text, written directly: the action list writes several
        hundred, and format_html per option was a visible part of its time."""
        if isinstance(label, (list, tuple)):  # a group of options
            inner = "".join(cls._choice(v, text, selected) for v, text in label)
            return f'<optgroup label="{_escape(value)}">{inner}</optgroup>'
        value = "" if value is None else str(value)
        chosen = " selected" if value in selected else ""
        return f'<option value="{_escape(value)}"{chosen}>{_escape(label)}</option>'


def _escape(text):
    """conditional_escape without the wrapper that lets it take lazy strings, which costs more than
    the escaping: text marked safe is kept as it is, the rest escaped as django.utils.html.escape does."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))
