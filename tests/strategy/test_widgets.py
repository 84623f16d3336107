"""LongSelect writes the same <select> as Django's Select, escaping every value and label."""

from django import forms

from strategy.widgets import LongSelect


class Choose(forms.Form):
    lead = forms.ChoiceField(
        choices=[("", "All leads"), ("1", "Lena <Lead>"), ("2", 'Omar "O" Offender')],
        widget=LongSelect(attrs={"class": "govuk-select"}),
        required=False,
    )
    grouped = forms.ChoiceField(
        choices=[("Victim", [("v1", "V1")]), ("Offender", [("o1", "O1")])],
        widget=LongSelect,
        required=False,
    )


def test_it_matches_djangos_select_for_plain_choices():
    form = Choose({"lead": "2"})
    ours = str(form["lead"].as_widget())
    assert ours == (
        '<select class="govuk-select" id="id_lead" name="lead"><option value="">All leads</option>'
        '<option value="1">Lena &lt;Lead&gt;</option>'
        '<option value="2" selected>Omar &quot;O&quot; Offender</option></select>'
    )
    django = forms.Select(attrs={"class": "govuk-select"}, choices=Choose.base_fields["lead"].choices)
    assert ours.replace("><", ">\n<").count("<option") == django.render("lead", "2").count("<option")


def test_option_groups_and_no_choice():
    html = str(Choose({})["grouped"].as_widget())
    assert '<optgroup label="Victim"><option value="v1">V1</option></optgroup>' in html
    assert "selected" not in html
