"""The indicator pages: the list, one indicator, entering and correcting a value; and their speed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.indicators import Period
from performance.models import Indicator, IndicatorValue
from strategy.models import Marking

D = Decimal
Q = Period.of_quarter_text


@pytest.fixture
def kpis(plan):
    """A rated indicator with a year of quarters, a contextual one, and a sensitive one."""
    repeat = Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-V1",
        name="Repeat victims",
        unit="percentage",
        decimal_places=1,
        polarity="lower",
        frequency="quarterly",
        target_kind="absolute",
        target_value=D(12),
        amber_tolerance=D(10),
        comparator_name="Met-wide figure",
        delivery_group=plan["victim"],
    )
    repeat.owners.add(plan["lena"])
    repeat.objectives.add(plan["v1"])
    repeat.actions.add(plan["v1_1"], plan["c1_1"])
    for text, value in [("2023/24 Q4", 14), ("2024/25 Q1", 15), ("2024/25 Q2", 13), ("2024/25 Q3", 12.5)]:
        repeat.record_value(period=Q(text), value=D(str(value)), comparator_value=D(15))
    demand = Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-V2",
        name="MARAC referrals",
        unit="count",
        polarity="neither",
        kind="contextual",
        frequency="quarterly",
    )
    demand.record_value(period=Q("2024/25 Q2"), value=D(62))
    demand.record_value(period=Q("2024/25 Q3"), value=D(70))
    sensitive = Indicator.objects.create(
        strategy=plan["strategy"],
        ref="KPI-C1",
        name="People trained in CT awareness",
        frequency="quarterly",
        target_kind="absolute",
        target_value=D(300),
        marking=Marking.OFFICIAL_SENSITIVE,
        delivery_group=plan["contest"],
    )
    sensitive.record_value(period=Q("2024/25 Q3"), value=D(150))
    return {"repeat": repeat, "demand": demand, "sensitive": sensitive}


LIST = "/indicators/?strategy=test-2024-2027"


def test_the_list_shows_latest_target_rag_directions_comparator_and_trend(client, viewer, kpis):
    client.force_login(viewer)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    performance, contextual = html.split('id="contextual"')
    assert "KPI-V1" in performance and "KPI-V2" not in performance
    assert "KPI-V2" in contextual
    assert "12.5%" in performance and "2024/25 Q3, data to 31/12/2024" in performance
    # The count says what every listed indicator is: the rated ones by RAG, then the contextual ones.
    assert "<strong>2</strong> indicators found: 0 Green, 1 Amber, 0 Red; 1 contextual, not rated" in html
    assert "12.0% or lower" in performance
    assert "govuk-tag--yellow" in performance and ">Amber<" in performance  # 12.5 is within 10% of 12
    assert "Improving" in performance  # since 2024/25 Q2 (13%)
    assert "15.0% (Met-wide figure)" in performance
    assert 'role="img"' in performance and "<title" in performance
    assert "Up" in contextual  # 62 to 70, judged neither way
    assert "KPI-C1" not in html  # OFFICIAL-SENSITIVE, above the viewer's clearance
    assert "1 Green" not in html and "0 Green, 1 Amber, 0 Red" in html


def test_officers_see_sensitive_indicators(client, officer, kpis):
    client.force_login(officer)
    html = client.get(LIST).content.decode()
    assert "KPI-C1" in html and "OFFICIAL-SENSITIVE" in html
    assert "0 Green, 1 Amber, 1 Red" in html


def test_the_list_defaults_to_a_strategy_with_indicators(client, viewer, kpis):
    client.force_login(viewer)
    response = client.get("/indicators/")
    assert response.context["strategy"] == kpis["repeat"].strategy


def test_another_partnerships_strategy_is_not_found(client, outsider, kpis):
    client.force_login(outsider)
    assert client.get(LIST).status_code == 404


REFUSED = "Select a valid choice. {} is not one of the available choices."


@pytest.mark.parametrize(
    ("query", "shown", "hidden", "errors"),
    [
        ("&group={victim}", ["KPI-V1"], ["KPI-V2", "KPI-C1"], {}),
        ("&objective={v1}", ["KPI-V1"], ["KPI-V2"], {}),
        ("&priority={priority}", ["KPI-V1"], ["KPI-V2"], {}),  # through the objective it measures
        ("&rag=amber", ["KPI-V1"], ["KPI-C1", "KPI-V2"], {}),
        ("&rag=red", ["KPI-C1"], ["KPI-V1", "KPI-V2"], {}),
        ("&rag=none", ["KPI-V2"], ["KPI-V1", "KPI-C1"], {}),  # contextual ones are unrated
        # a choice that does not exist: refused, not a 500
        ("&group=999999", ["KPI-V1", "KPI-V2"], [], {"group": [REFUSED.format("That choice")]}),
        ("&rag=purple", ["KPI-V1", "KPI-V2"], [], {"rag": [REFUSED.format("purple")]}),
    ],
)
def test_filters(client, officer, plan, kpis, query, shown, hidden, errors):
    client.force_login(officer)
    priority = plan["strategy"].strategic_objectives.get()
    url = LIST + query.format(victim=plan["victim"].pk, v1=plan["v1"].pk, priority=priority.pk)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode().split('id="performance"')[1]
    for ref in shown:
        assert f">{ref}<" in html
    for ref in hidden:
        assert f">{ref}<" not in html
    assert response.context["filter"].form.errors == errors
    page = response.content.decode()
    assert [text for texts in errors.values() for text in texts if text not in page] == []  # shown to the user


def test_filter_choices_leave_out_what_the_user_may_not_see(client, viewer, plan, kpis):
    client.force_login(viewer)
    form = client.get(LIST).context["filter"].form
    assert list(form.fields["group"].queryset) == [plan["victim"]]
    assert plan["contest"] not in form.fields["group"].queryset


def test_an_indicator_with_its_chart_table_links_and_history(client, viewer, plan, kpis):
    repeat = kpis["repeat"]
    current = repeat.values.current().get(period_start=Q("2024/25 Q1").start)
    repeat.record_value(period=Q("2024/25 Q1"), value=D(16), replaces=current, correction_reason="Late-recorded crimes")
    client.force_login(viewer)
    response = client.get(f"/indicators/{repeat.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 2 and html.count('role="img"') == 2  # one for a desktop, one for a phone
    assert '<div class="app-review-chart--phone"><svg' in html and 'viewBox="0 0 340 ' in html
    assert "Fell from 14.0% to 12.5% between 2023/24 Q4 and 2024/25 Q3; target 12.0%; improving" in html
    table = html.split("by period, newest first")[1].split("</table>")[0]
    assert table.index("2024/25 Q3") < table.index("2024/25 Q1") < table.index("2023/24 Q4")
    assert "16.0%" in table and "Late-recorded crimes" not in table
    history = html.split('id="history"')[1]
    assert "Replaced" in history and "Corrected from 15.0%: Late-recorded crimes" in history
    assert reverse("actions:action_detail", args=[plan["v1_1"].pk]) in html
    assert "C1.1" not in html  # the linked CONTEST action is above the viewer's clearance
    assert "Identify repeat victims" in html
    assert "Enter a value" not in html  # a viewer changes nothing


def test_an_indicator_above_the_users_clearance_is_not_found(client, viewer, kpis):
    client.force_login(viewer)
    assert client.get(f"/indicators/{kpis['sensitive'].pk}/").status_code == 404
    assert client.get("/indicators/999999/").status_code == 404


def test_an_action_page_lists_the_indicators_it_can_see(client, viewer, officer, plan, kpis):
    kpis["sensitive"].actions.add(plan["v1_1"])
    client.force_login(viewer)
    html = client.get(f"/actions/{plan['v1_1'].pk}/").content.decode()
    assert reverse("performance:indicator_detail", args=[kpis["repeat"].pk]) in html
    assert "KPI-C1" not in html
    client.force_login(officer)
    assert "KPI-C1" in client.get(f"/actions/{plan['v1_1'].pk}/").content.decode()
    assert "None linked" in client.get(f"/actions/{plan['o1_1'].pk}/").content.decode()


# Entering and correcting values ---------------------------------------------------------------------------


def add(client, indicator, **data):
    return client.post(f"/indicators/{indicator.pk}/values/new/", data)


def test_an_owner_enters_a_value(client, lead, kpis):
    client.force_login(lead)
    response = add(client, kpis["repeat"], period="2024/25 Q4", value="11.5", commentary="Fewer repeats")
    assert response.status_code == 302
    value = kpis["repeat"].values.current().get(period_start=datetime.date(2025, 1, 1))
    assert (value.value, value.entered_by, value.data_to, value.commentary) == (
        D("11.5"),
        lead,
        datetime.date(2025, 3, 31),
        "Fewer repeats",
    )
    page = client.get(response.url)
    assert "11.5% for 2024/25 Q4 has been saved to KPI-V1." in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": "2024/25 Q4", "value": "150"}, "value", "150 is not a percentage: enter a number from 0 to 100"),
        ({"period": "2024/25 Q4", "value": "lots"}, "value", "Enter the value as a number, like 14 or 14.5"),
        ({"period": "2024/25 Q4", "value": ""}, "value", "Enter the value, or its numerator and denominator"),
        (
            {"period": "Dec 2024", "value": "12"},
            "period",
            'Dec 2024 is a month but KPI-V1 is reported quarterly: give a quarter like "2019/20 Q2"',
        ),
        (
            {"period": "2099/00 Q1", "value": "12"},
            "period",
            "2099/00 Q1 has not started yet: figures can only be entered for periods that have begun",
        ),
        (
            {"period": "2024/25 Q3", "value": "12"},
            "period",
            "2024/25 Q3 already has a figure (12.5%): to change it, correct that value from the indicator's page",
        ),
        (
            {"period": "Q3", "value": "12"},
            "period",
            '"Q3" is not a period: write a month like "Sep 2019" or "2019-09", a quarter like "2019/20 Q2", '
            'or a financial year like "2019/20"',
        ),
        ({"period": "", "value": "12"}, "period", "Enter the period the figure is for"),
        (
            {"period": "2024/25 Q4", "value": "12", "data_to": "15/04/2025"},
            "data_to",
            'The "data to" date must be within 2024/25 Q4 (01/01/2025 to 31/03/2025)',
        ),
        ({"period": "2024/25 Q4", "numerator": "5"}, "denominator", "Enter the denominator too, or leave both blank"),
        (
            {"period": "2024/25 Q4", "numerator": "5", "denominator": "0"},
            "denominator",
            "Enter a denominator greater than 0",
        ),
        (
            {"period": "2024/25 Q4", "value": "20", "numerator": "5", "denominator": "50"},
            "value",
            "The value 20.0% does not match 5 out of 50 (10.0%): correct one of them",
        ),
    ],
)
def test_a_wrong_value_is_refused_with_a_clear_message_and_nothing_saved(client, officer, kpis, data, field, message):
    client.force_login(officer)
    before = IndicatorValue.objects.count()
    response = add(client, kpis["repeat"], **data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message]
    html = response.content.decode()
    assert "There is a problem" in html and "<title>Error: " in html
    assert IndicatorValue.objects.count() == before
    for typed in data.values():
        if typed:
            assert f'value="{typed}"' in html  # what was typed is kept


def test_a_rate_is_worked_out_from_numerator_and_denominator(client, officer, kpis):
    client.force_login(officer)
    assert add(client, kpis["repeat"], period="2024/25 Q4", numerator="11", denominator="62").status_code == 302
    value = kpis["repeat"].values.current().get(period_start=datetime.date(2025, 1, 1))
    assert (value.value, value.numerator, value.denominator) == (D("17.742"), 11, 62)


def test_a_correction_keeps_the_old_value(client, lead, kpis):
    client.force_login(lead)
    current = kpis["repeat"].values.current().get(period_start=Q("2024/25 Q3").start)
    url = f"/indicators/{kpis['repeat'].pk}/values/{current.pk}/correct/"
    form = client.get(url)
    assert 'value="12.5"' in form.content.decode()
    refused = client.post(url, {"value": "13"})
    assert "Enter why the value is being corrected" in refused.content.decode()
    response = client.post(url, {"value": "13", "correction_reason": "Late-recorded crimes"})
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.superseded_at is not None
    new = current.replaced_by
    assert (new.value, new.correction_reason, new.entered_by) == (D(13), "Late-recorded crimes", lead)
    page = client.get(response.url).content.decode()
    assert "KPI-V1 for 2024/25 Q3 was corrected from 12.5% to 13.0%" in page
    again = client.get(url)  # the old figure's form leads to the latest one
    assert again.status_code == 302 and again.url.endswith(f"/values/{new.pk}/correct/")


def test_correcting_a_value_of_another_indicator_is_not_found(client, officer, kpis):
    client.force_login(officer)
    other = kpis["demand"].values.first()
    assert client.get(f"/indicators/{kpis['repeat'].pk}/values/{other.pk}/correct/").status_code == 404


# Speed ----------------------------------------------------------------------------------------------------


FIRST_MONTH = Period.month(2019, 4)


def make_indicators(strategy, count, *, months=60, first=FIRST_MONTH):
    """`count` monthly indicators with `months` values each (five years by default), written in bulk."""
    indicators = Indicator.objects.bulk_create(
        Indicator(
            strategy=strategy,
            ref=f"KPI-{n:04d}",
            name=f"Indicator {n}",
            unit="percentage",
            polarity="lower" if n % 2 else "higher",
            kind="contextual" if n % 10 == 0 else "performance",
            frequency="monthly",
            target_kind="" if n % 10 == 0 else "absolute",
            target_value=None if n % 10 == 0 else D(50),
            comparator_name="Met-wide figure",
        )
        for n in range(count)
    )
    periods = [first.shifted(m) for m in range(months)]
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(
                indicator=indicator,
                period_type="month",
                period_start=period.start,
                period_end=period.end,
                data_to=period.end,
                value=D((n * 7 + m * 3) % 100),
                comparator_value=D(50),
            )
            for n, indicator in enumerate(indicators)
            for m, period in enumerate(periods)
        ),
        batch_size=5000,
    )
    return indicators


def list_queries(client, django_assert_num_queries, expected_rows):
    # Queries: the session, the user, their membership, the strategies; the indicators, their recent
    # values (one windowed query); whether the user may import; the filter's group, objective and
    # strategic-objective choices.
    with django_assert_num_queries(10):
        response = client.get(LIST)
    assert response.status_code == 200
    rows = response.context["performance_rows"] + response.context["contextual_rows"]
    assert len(rows) == expected_rows


@pytest.mark.django_db
def test_the_list_runs_a_fixed_number_of_queries_at_10_and_500_indicators(
    client, officer, plan, django_assert_num_queries
):
    client.force_login(officer)
    make_indicators(plan["strategy"], 10)
    list_queries(client, django_assert_num_queries, 10)
    Indicator.objects.all().delete()
    make_indicators(plan["strategy"], 500)
    assert IndicatorValue.objects.count() == 500 * 60
    list_queries(client, django_assert_num_queries, 500)


def test_indicator_rows_runs_two_queries_whatever_the_size(plan, officer, django_assert_num_queries):
    from performance.indicators import indicator_rows

    make_indicators(plan["strategy"], 25, months=60)
    indicator_rows(strategy=plan["strategy"], user=officer)  # the membership is cached on the user
    with django_assert_num_queries(2):  # the indicators; their recent values
        rows = indicator_rows(strategy=plan["strategy"], user=officer, as_at=datetime.date(2024, 3, 31))
    # Each: the month, its points (a year back and the month itself), the figure a year earlier.
    assert [(str(row.period), len(row.points), str(row.year_earlier.period)) for row in rows] == [
        ("Mar 2024", 13, "Mar 2023")
    ] * 25
