"""The GOV.UK markup other templates build on: form fields (templates/django/forms/) and the partials
in templates/includes/. Rendered without a request: these are contracts, not pages."""

import datetime
import re

import pytest
from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string

CHOICES = [("on_track", "On track"), ("at_risk", "At risk"), ("off_track", "Off track")]


class EveryWidgetForm(forms.Form):
    name = forms.CharField(help_text="As it appears in the plan.")
    progress = forms.IntegerField(widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    evidence_url = forms.URLField(required=False, assume_scheme="https")
    secret = forms.CharField(widget=forms.PasswordInput)
    due = forms.DateField(widget=forms.DateInput)
    due_with_help = forms.DateField(widget=forms.DateInput, help_text="The end of the quarter.", required=False)
    commentary = forms.CharField(widget=forms.Textarea)
    status = forms.ChoiceField(choices=CHOICES)
    groups = forms.MultipleChoiceField(choices=CHOICES, widget=forms.SelectMultiple, required=False)
    rag = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect(attrs={"class": "govuk-radios--small"}))
    flags = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
    decision_needed = forms.BooleanField(required=False, help_text="The board must decide something.")
    upload = forms.FileField(widget=forms.ClearableFileInput, required=False)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Something about the whole form is wrong.")


def squash(html):
    return re.sub(r"\s+", " ", html)


def field_html(form, name):
    return squash(form[name].as_field_group())


@pytest.fixture
def unbound():
    return EveryWidgetForm()


@pytest.fixture
def invalid():
    form = EveryWidgetForm(data={"progress": "lots", "rag": "nonsense"})
    assert not form.is_valid()
    return form


# Form fields -----------------------------------------------------------------------------------


def test_text_input_with_hint(unbound):
    html = field_html(unbound, "name")
    assert '<div class="govuk-form-group">' in html
    assert '<label class="govuk-label govuk-label--s" for="id_name">Name</label>' in html
    assert '<div id="id_name_helptext" class="govuk-hint">As it appears in the plan.</div>' in html
    assert re.search(
        r'<input type="text" name="name" class="govuk-input"[^>]*aria-describedby="id_name_helptext"', html
    )


def test_extra_widget_attrs_are_kept(unbound):
    assert 'class="govuk-input govuk-input--width-3"' in field_html(unbound, "progress")
    email = field_html(unbound, "email")
    assert 'autocomplete="email"' in email
    assert 'spellcheck="false"' in email
    assert 'type="email"' in email
    assert 'type="url"' in field_html(unbound, "evidence_url")
    assert 'type="password"' in field_html(unbound, "secret")


def test_date_input_is_text_with_an_example_unless_help_text_says_otherwise(unbound):
    html = field_html(unbound, "due")
    assert '<div id="id_due_helptext" class="govuk-hint">For example, 31/03/2025</div>' in html
    assert re.search(r'<input type="text" name="due" class="govuk-input govuk-input--width-10"', html)
    assert 'aria-describedby="id_due_helptext"' in html
    html = field_html(unbound, "due_with_help")
    assert "The end of the quarter." in html
    assert "For example" not in html


def test_textarea_and_selects(unbound):
    assert re.search(r'<textarea name="commentary"[^>]*class="govuk-textarea"', field_html(unbound, "commentary"))
    assert re.search(r'<select name="status" class="govuk-select"', field_html(unbound, "status"))
    assert re.search(r'<select name="groups" class="govuk-select"[^>]* multiple', field_html(unbound, "groups"))


def test_radios_in_a_fieldset(unbound):
    html = field_html(unbound, "rag")
    assert '<fieldset class="govuk-fieldset">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Rag</legend>' in html
    assert '<div class="govuk-radios govuk-radios--small" data-module="govuk-radios">' in html
    assert '<div class="govuk-radios__item">' in html
    assert re.search(r'<input type="radio" name="rag" value="on_track"[^>]*class="govuk-radios__input"', html)
    assert '<label class="govuk-label govuk-radios__label" for="id_rag_0">On track</label>' in html
    assert "<label" in html and 'for="id_rag"' not in html


def test_checkboxes_in_a_fieldset(unbound):
    html = field_html(unbound, "flags")
    assert '<fieldset class="govuk-fieldset">' in html
    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in html
    assert re.search(r'<input type="checkbox" name="flags" value="at_risk"[^>]*id="id_flags_1"', html)
    assert '<label class="govuk-label govuk-checkboxes__label" for="id_flags_2">Off track</label>' in html


def test_single_checkbox(unbound):
    html = field_html(unbound, "decision_needed")
    assert "<fieldset" not in html
    assert re.search(r'<input type="checkbox" name="decision_needed" class="govuk-checkboxes__input"', html)
    assert '<label class="govuk-label govuk-checkboxes__label" for="id_decision_needed">' in html
    assert 'class="govuk-hint govuk-checkboxes__hint">The board must decide something.' in html
    assert 'aria-describedby="id_decision_needed_helptext"' in html


def test_file_upload(unbound):
    html = field_html(unbound, "upload")
    assert re.search(r'<input type="file" name="upload"[^>]*class="govuk-file-upload"', html)
    assert "Current file" not in html


def test_file_upload_with_a_current_file():
    class FakeFile:
        url = "/media/evidence.pdf"

        def __str__(self):
            return "evidence.pdf"

    form = EveryWidgetForm(initial={"upload": FakeFile()})
    html = field_html(form, "upload")
    assert 'Current file: <a class="govuk-link" href="/media/evidence.pdf">evidence.pdf</a>' in html
    assert 'name="upload-clear"' in html
    assert "Remove the current file" in html


def test_hidden_field_is_just_the_input(unbound):
    assert field_html(unbound, "seen").strip() == '<input type="hidden" name="seen" id="id_seen">'


def test_errors_on_the_group_the_input_and_in_words(invalid):
    html = field_html(invalid, "progress")
    assert '<div class="govuk-form-group govuk-form-group--error">' in html
    assert (
        '<p id="id_progress_error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
        "Enter a whole number.</p>"
    ) in html
    assert 'class="govuk-input govuk-input--error govuk-input--width-3"' in html
    assert 'aria-describedby="id_progress_error"' in html
    assert 'aria-invalid="true"' in html


def test_required_message_is_made_specific(invalid):
    assert '<span class="govuk-visually-hidden">Error:</span> Enter name</p>' in field_html(invalid, "name")
    assert "Error:</span> Select status</p>" in field_html(invalid, "status")
    assert "govuk-textarea--error" in field_html(invalid, "commentary")
    assert "govuk-select--error" in field_html(invalid, "status")


def test_hint_and_error_both_describe_the_input(invalid):
    html = field_html(invalid, "name")
    assert 'aria-describedby="id_name_helptext id_name_error"' in html


def test_radio_errors_describe_the_fieldset(invalid):
    html = field_html(invalid, "rag")
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_rag_error">' in html
    assert "govuk-form-group--error" in html


def test_whole_form_renders_every_field_group(invalid):
    html = squash(str(invalid))
    assert html.count('class="govuk-form-group') == len(invalid.visible_fields())
    assert "Something about the whole form is wrong." in html
    assert '<input type="hidden" name="seen"' in html
    assert squash(invalid.as_div()) == html


# Error summary ---------------------------------------------------------------------------------


def test_error_summary_is_empty_without_errors(unbound):
    assert render_to_string("includes/_error_summary.html", {"form": unbound}).strip() == ""
    assert render_to_string("includes/_error_summary.html", {}).strip() == ""


def test_error_summary_lists_form_errors_first_then_fields_in_order(invalid):
    html = squash(render_to_string("includes/_error_summary.html", {"form": invalid}))
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary" tabindex="-1" autofocus>' in html
    assert '<div role="alert">' in html
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items[0] == "Something about the whole form is wrong."
    assert items[1] == '<a href="#id_name">Enter name</a>'
    assert '<a href="#id_progress">Enter a whole number.</a>' in items
    assert '<a href="#id_rag_0">Select a valid choice. nonsense is not one of the available choices.</a>' in items
    assert items.index('<a href="#id_name">Enter name</a>') < items.index(
        '<a href="#id_commentary">Enter commentary</a>'
    )


def test_error_summary_links_non_field_errors_when_asked(invalid):
    html = render_to_string("includes/_error_summary.html", {"form": invalid, "non_field_href": "#id_name"})
    assert '<a href="#id_name">Something about the whole form is wrong.</a>' in html


def test_error_summary_over_several_forms_and_a_formset(invalid):
    class Small(forms.Form):
        title = forms.CharField()

    other = Small(data={}, prefix="other")
    formset = forms.formset_factory(Small, min_num=1, validate_min=True)(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0"}
    )
    html = render_to_string("includes/_error_summary.html", {"forms": [other, formset, None]})
    assert '<a href="#id_other-title">Enter title</a>' in html
    assert '<a href="#id_form-0-title">Enter title</a>' in html


# Partials --------------------------------------------------------------------------------------


TAG = Template("{% load govuk %}{% status_tag rating %}")


@pytest.mark.parametrize(
    ("colour", "css"),
    [
        ("green", "govuk-tag govuk-tag--green"),
        ("amber", "govuk-tag govuk-tag--yellow"),
        ("red", "govuk-tag govuk-tag--red"),
        ("blue", "govuk-tag"),
        ("grey", "govuk-tag govuk-tag--grey"),
        ("purple", "govuk-tag govuk-tag--purple"),
    ],
)
def test_tag(colour, css):
    html = TAG.render(Context({"rating": (colour, "On track")}))
    assert html == f'<strong class="{css}">On track</strong>'


def test_tag_escapes_its_word():
    html = TAG.render(Context({"rating": ("red", "<script>alert(1)</script>")}))
    assert html == '<strong class="govuk-tag govuk-tag--red">&lt;script&gt;alert(1)&lt;/script&gt;</strong>'


def test_tag_without_a_rating_renders_nothing():
    assert TAG.render(Context({"rating": None})) == ""


DATES = [
    Template("""{% load govuk %}{{ value|date:"d/m/Y"|default:'None given' }}"""),
    # The review's tables write hundreds of dates with day_month_year: exactly what the date filter writes.
    Template("""{% load govuk %}{{ value|day_month_year|default:'None given' }}"""),
]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (datetime.date(2025, 3, 31), "31/03/2025"),
        (datetime.date(2025, 4, 1), "01/04/2025"),
        # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time): the local date shows.
        (datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC), "01/07/2025"),
        (datetime.datetime(2025, 1, 31, 23, 30, tzinfo=datetime.UTC), "31/01/2025"),
        (None, "None given"),
        ("", "None given"),
        ("31 March", "None given"),
    ],
)
@pytest.mark.parametrize("template", DATES)
def test_dates_are_written_as_the_plans_do(template, value, shown):
    assert template.render(Context({"value": value})) == shown


WORDS = Template("""{% load govuk %}{% with shown=columns|words %}{{ shown.lead }} {{ shown.due }}{% endwith %}""")


def test_words_says_which_words_a_string_has():
    assert WORDS.render(Context({"columns": "lead rating"})) == "True False"


def test_breadcrumbs():
    html = squash(
        render_to_string(
            "includes/_breadcrumbs.html", {"crumbs": [("Home", "/"), ("Actions", "/actions/"), ("V1.1", "")]}
        )
    )
    assert '<nav class="govuk-breadcrumbs" aria-label="Breadcrumb">' in html
    assert '<a class="govuk-breadcrumbs__link" href="/actions/">Actions</a>' in html
    assert '<li class="govuk-breadcrumbs__list-item">V1.1</li>' in html


def test_marking():
    html = render_to_string("includes/_marking.html", {"marking": "OFFICIAL-SENSITIVE"})
    assert 'class="app-marking"' in html
    assert "OFFICIAL-SENSITIVE" in html
    assert render_to_string("includes/_marking.html", {"marking": ""}).strip() == ""


def test_messages_as_notification_banners():
    messages = [
        Message(constants.SUCCESS, "Update saved."),
        Message(constants.WARNING, "The quarter closes on Friday."),
    ]
    html = squash(render_to_string("includes/_messages.html", {"messages": messages}))
    assert 'class="govuk-notification-banner govuk-notification-banner--success" role="alert"' in html
    assert ">Success</h2>" in html and ">Update saved.</p>" in html
    assert 'class="govuk-notification-banner" role="region" aria-labelledby="message-title-2"' in html
    assert ">Important</h2>" in html


def pagination(count, number, querystring=""):
    page_obj = Paginator(range(count), 10).page(number)
    return squash(render_to_string("includes/_pagination.html", {"page_obj": page_obj, "querystring": querystring}))


def test_pagination_hidden_for_one_page():
    assert pagination(5, 1).strip() == ""


def test_pagination_first_page():
    html = pagination(30, 1, "status=late&q=x")
    assert 'rel="prev"' not in html
    assert 'href="?status=late&amp;q=x&amp;page=2" rel="next"' in html
    assert 'aria-label="Page 1" aria-current="page"' in html


def test_pagination_with_ellipses():
    html = pagination(400, 20)
    assert 'href="?page=19" rel="prev"' in html
    assert 'href="?page=21" rel="next"' in html
    assert html.count("govuk-pagination__item--ellipsis") == 2
    numbers = re.findall(r'aria-label="Page (\d+)"', html)
    assert numbers == ["1", "19", "20", "21", "40"]


def test_uploaded_file_field_accepts_a_file():
    form = EveryWidgetForm(files={"upload": SimpleUploadedFile("a.txt", b"x")}, data={})
    assert "upload" not in form.errors


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Newly Red", "newly Red"),
        ("Improved (RAG better than the quarter before)", "improved (RAG better than the quarter before)"),
        ("RAG rating", "RAG rating"),
        ("KPI", "KPI"),
        ("", ""),
    ],
)
def test_lower_first_keeps_words_in_capitals(label, expected):
    from strategy.templatetags.govuk import lower_first

    assert lower_first(label) == expected
