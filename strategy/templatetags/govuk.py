"""Template helpers behind the GOV.UK markup: form controls, the error summary, the navigation.

The markup itself lives in templates (`templates/django/forms/`, `templates/includes/`); these
only work out what plain templates cannot: which GOV.UK pattern a widget needs, the classes and
`aria-describedby` of its control, and which errors the error summary lists.

Django's own widget templates are left alone on purpose: the back office (the admin) renders its
widgets through the same form renderer and has its own styles.
"""

from collections import defaultdict

from django import forms, template
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html

register = template.Library()

DATE_HINT = "For example, 31/03/2025"

# The GOV.UK class for each kind of control, and its error modifier.
CONTROL_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "radio": ("govuk-radios__input", ""),
}


def widget_kind(widget):
    """Which GOV.UK pattern renders this widget (a template name under django/forms/govuk/)."""
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.DateInput):
        return "date"
    if isinstance(widget, forms.widgets.Input):
        return "input"
    return "other"


@register.filter
def govuk_kind(bound_field):
    return widget_kind(bound_field.field.widget)


@register.filter
def govuk_hint(bound_field):
    """The hint under the label: the field's help_text, or the date format for a date."""
    if bound_field.help_text:
        return bound_field.help_text
    if widget_kind(bound_field.field.widget) == "date":
        return DATE_HINT
    return ""


def _join(*classes):
    return " ".join(c for c in " ".join(c or "" for c in classes).split() if c)


@register.filter
def govuk_describedby(bound_field):
    """The ids of the hint and the error message, in the order GOV.UK reads them."""
    widget = bound_field.field.widget
    if widget.attrs.get("aria-describedby"):
        return widget.attrs["aria-describedby"]
    ids = []
    if bound_field.auto_id:
        if govuk_hint(bound_field):
            ids.append(f"{bound_field.auto_id}_helptext")
        if bound_field.errors:
            ids.append(f"{bound_field.auto_id}_error")
    return " ".join(ids)


def _control_attrs(bound_field, kind):
    widget = bound_field.field.widget
    base, error = CONTROL_CLASSES["input" if kind == "date" else kind]
    extra_class = widget.attrs.get("class", "")
    if kind == "date" and "govuk-input--width-" not in extra_class:
        extra_class = _join(extra_class, "govuk-input--width-10")
    attrs = {"class": _join(base, bound_field.errors and error, extra_class)}
    if describedby := govuk_describedby(bound_field):
        attrs["aria-describedby"] = describedby
    if isinstance(widget, forms.EmailInput) and "spellcheck" not in widget.attrs:
        attrs["spellcheck"] = "false"
    return attrs


@register.simple_tag
def govuk_control(bound_field):
    """The field's input, textarea, select or single checkbox, with its GOV.UK classes.

    Use it for a bare control in markup of your own (a table of inputs, say):
    `{% load govuk %}{% govuk_control form.progress %}`.
    """
    kind = widget_kind(bound_field.field.widget)
    if kind in ("hidden", "other"):
        return bound_field.as_widget()
    if kind == "file":
        return govuk_file_input(bound_field)
    return bound_field.as_widget(attrs=_control_attrs(bound_field, kind))


def govuk_file_input(bound_field):
    """Only the <input type="file"> of a (clearable) file widget; the template draws the rest."""
    data = bound_field.subwidgets[0].data
    attrs = dict(data["attrs"])
    attrs.update(_control_attrs(bound_field, "file"))
    return format_html('<input type="file" name="{}"{}>', data["name"], flatatt(attrs))


@register.simple_tag
def govuk_option_input(option, bound_field):
    """One radio or checkbox of a RadioSelect or CheckboxSelectMultiple (a BoundWidget)."""
    data = option.data
    kind = "checkbox" if data["type"] == "checkbox" else "radio"
    attrs = {k: v for k, v in data["attrs"].items() if k != "class"}
    attrs["class"] = CONTROL_CLASSES[kind][0]
    attrs = {k: v for k, v in attrs.items() if v is not False}
    return format_html(
        '<input type="{}" name="{}" value="{}"{}>',
        data["type"],
        data["name"],
        "" if data["value"] is None else str(data["value"]),
        flatatt(attrs),
    )


def _choose_verb(widget):
    return "Select" if isinstance(widget, (forms.Select, forms.RadioSelect, forms.CheckboxInput)) else "Enter"


@register.filter
def govuk_errors(bound_field):
    """The field's error messages, with Django's "This field is required." made specific.

    GOV.UK error messages say what to do ("Enter username"), and two identical messages in an
    error summary would be two identical links. A form's own `required` message is kept.
    """
    generic = str(forms.Field.default_error_messages["required"])
    if str(bound_field.field.error_messages.get("required", "")) != generic:
        generic = None
    label = str(bound_field.label or bound_field.name)
    if not label[1:2].isupper():  # keep "RAG rating" and "KPI" as they are
        label = label[:1].lower() + label[1:]
    return [
        f"{_choose_verb(bound_field.field.widget)} {label}" if generic and str(error) == generic else error
        for error in bound_field.errors
    ]


def _anchor(bound_field):
    """Where an error summary link for this field goes: its input, or a group's first option."""
    widget = bound_field.field.widget
    anchor_id = widget.attrs.get("id") or bound_field.auto_id
    if not anchor_id:
        return ""
    if isinstance(widget, (forms.RadioSelect, forms.MultiWidget)):
        return f"{anchor_id}_0"
    return bound_field.id_for_label or anchor_id


def _expand(candidates):
    """(form, errors that belong to no field) for forms and formsets, in order, without repeats.

    A formset comes first with its own errors (form None: it has no fields), then each of its forms.
    """
    seen = set()
    for item in candidates:
        is_formset = hasattr(item, "non_form_errors") and hasattr(item, "forms")
        if not (is_formset or hasattr(item, "non_field_errors")) or id(item) in seen:
            continue  # a missing context variable renders as ""
        seen.add(id(item))
        if is_formset:
            yield None, item.non_form_errors()
            for form in item.forms:
                yield form, form.non_field_errors()
        else:
            yield item, item.non_field_errors()


@register.simple_tag
def govuk_error_items(form=None, extra_forms=None):
    """What the error summary lists: non-field errors first, then each field's, in form order.

    Each item is {"text": ..., "href": "#id_..." or ""}.
    """
    every = list(_expand([form, *(extra_forms or [])]))
    items = [{"text": error, "href": ""} for _form, errors in every for error in errors]
    for each, _errors in every:
        if each is None or not each.is_bound:
            continue
        for bound_field in each:
            for error in govuk_errors(bound_field):
                anchor = "" if bound_field.is_hidden else _anchor(bound_field)
                text = error if not bound_field.is_hidden else f"{bound_field.label}: {error}"
                items.append({"text": text, "href": f"#{anchor}" if anchor else ""})
    return items


@register.filter
def page_range(page_obj):
    """Page numbers for the pagination: the ends, the current page's neighbours, None for a gap."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    ]


SITE_SETTINGS = frozenset({"SITE_NAME", "SITE_ORGANISATION", "SITE_CONTACT_EMAIL"})


@register.simple_tag
def site_setting(name):
    """The service's name, organisation or contact, read from settings.

    base.html uses this rather than the context processor's `site_name` because Django's auth views
    put a `site_name` of their own (the host name) into their context, and the error pages render
    without context processors.
    """
    if name not in SITE_SETTINGS:
        raise template.TemplateSyntaxError(f"site_setting only reads {', '.join(sorted(SITE_SETTINGS))}")
    return getattr(settings, name)


@register.simple_tag
def session_idle_minutes():
    """How long a session lasts without a request (SESSION_IDLE_TIMEOUT), in minutes.

    Strings, not numbers: a simple tag's output is joined as text inside {% autoescape off %}.
    """
    return str(settings.SESSION_COOKIE_AGE // 60)


@register.simple_tag
def password_reset_days():
    """How long a password reset link works, in whole days."""
    return str(max(1, settings.PASSWORD_RESET_TIMEOUT // 86400))


# GOV.UK tag modifier per colour. Amber is GOV.UK's yellow tag (dark brown on yellow, 7:1 contrast),
# which stands further from red than the orange one; blue is the plain tag.
TAG_MODIFIERS = {
    "green": " govuk-tag--green",
    "amber": " govuk-tag--yellow",
    "red": " govuk-tag--red",
    "grey": " govuk-tag--grey",
    "purple": " govuk-tag--purple",
    "blue": "",
}


@register.simple_tag
def status_tag(rating):
    """A GOV.UK tag for `rating`, a (colour, word) pair (nothing for None). The word always shows, so
    colour is never the only signal. A tag rather than an include: a dashboard shows hundreds."""
    if not rating:
        return ""
    colour, word = rating
    return format_html('<strong class="govuk-tag{}">{}</strong>', TAG_MODIFIERS.get(colour, ""), word)


@register.filter(is_safe=True)
def lower_first(value):
    """A label made fit for the middle of a sentence: "Newly Red" becomes "newly Red", while a word
    in capitals ("RAG rating", "KPI") stays as it is, where Django's `lower` would write "rag"."""
    value = str(value)
    return value[:1].lower() + value[1:] if value[1:2].islower() else value


@register.filter
def words(value):
    """The words of `value` (a string like "lead rating due") as {word: True}, False for any other
    word, so a template tests `shown.lead` in each row rather than searching the string."""
    return defaultdict(bool, dict.fromkeys(str(value).split(), True))


@register.filter(expects_localtime=True)
def day_month_year(value):
    """A date (or a datetime, in local time) as 31/01/2024, exactly as `date:"d/m/Y"` writes it, for
    tables of hundreds of dates: the date filter looks up the format and builds a formatter for each."""
    try:
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""
    except AttributeError:  # not a date: nothing, as the date filter writes
        return ""
