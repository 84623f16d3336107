"""Server-drawn SVG charts: well-formed, described for screen readers, told apart without colour,
with enough contrast, and with no script or inline style (the CSP forbids both)."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from performance.charts import (
    PHONE_CHART_WIDTH,
    STYLES,
    Series,
    indicator_chart,
    indicator_charts,
    indicator_sparkline,
    line_chart,
    nice_ticks,
    sparkline,
)
from performance.indicators import Period, Point
from performance.models import Indicator

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(str(markup))


def contrast(colour, background="#ffffff"):
    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def chart_series():
    return [
        Series("Repeat victims", [14, 15, 15, 16]),
        Series("Target", [12, 12, 12, 12], "target"),
        Series("Met-wide figure", [15, 15, None, 16], "comparator"),
    ]


def chart(**overrides):
    arguments = {
        "title": "KPI-V1 Repeat victims",
        "summary": "Rose from 14% to 16% between 2017/18 Q1 and Q4; target 12%; worsening",
        "labels": ["2017/18 Q1", "2017/18 Q2", "2017/18 Q3", "2017/18 Q4"],
        "series": chart_series(),
        "format_tick": lambda value: f"{value:g}%",
        "chart_id": "c1",
    }
    return line_chart(**{**arguments, **overrides})


def test_a_chart_is_an_image_with_a_title_and_a_description():
    root = parse(chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "KPI-V1 Repeat victims"
    assert desc.text == "Rose from 14% to 16% between 2017/18 Q1 and Q4; target 12%; worsening"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert list(root)[:2] == [title, desc]


def test_no_script_no_inline_style_no_event_handlers():
    markup = str(chart())
    assert "<script" not in markup
    assert " style=" not in markup
    assert not re.search(r"\son[a-z]+=", markup)
    assert "javascript:" not in markup


def test_text_is_escaped():
    root = parse(chart(title="A & B <script>", summary='"quoted" <b>'))
    assert root.find(f"{SVG}title").text == "A & B <script>"
    assert "<script>" not in str(chart(title="<script>"))


def test_series_differ_by_pattern_and_marker_not_colour_alone():
    root = parse(chart())
    lines = root.findall(f".//{SVG}polyline")
    dashes = {line.get("stroke"): line.get("stroke-dasharray") for line in lines}
    assert dashes[STYLES["value"]["colour"]] is None  # solid
    assert dashes[STYLES["target"]["colour"]] == "8 5"  # dashed
    assert dashes[STYLES["comparator"]["colour"]] == "2 4"  # dotted
    assert len(root.findall(f".//{SVG}circle")) == 5  # the four values' markers and the legend's
    # The comparator's hollow squares: its three figures (one period has none) and the legend's.
    assert len(root.findall(f".//{SVG}rect[@fill='#ffffff'][@stroke]")) == 4
    legend = [text.text for text in root.iter(f"{SVG}text")][-3:]  # after the axes' ticks and labels
    assert legend == ["Repeat victims", "Target", "Met-wide figure"]


def test_lines_and_text_have_enough_contrast():
    for style in STYLES.values():
        assert contrast(style["colour"]) >= 4.5  # lines need 3:1; these also pass for text
    root = parse(chart())
    for text in root.iter(f"{SVG}text"):
        assert contrast(text.get("fill")) >= 4.5


def test_a_gap_in_a_series_breaks_its_line():
    root = parse(chart())
    comparator = [line for line in root.findall(f".//{SVG}polyline") if line.get("stroke-dasharray") == "2 4"]
    assert len(comparator) == 2


def test_axis_ticks_and_labels():
    root = parse(chart())
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert texts == [
        *("0%", "5%", "10%", "15%", "20%"),
        *("2017/18 Q1", "2017/18 Q2", "2017/18 Q3", "2017/18 Q4"),
        *("Repeat victims", "Target", "Met-wide figure"),
    ]
    assert nice_ticks(0, 16) == [0, 5, 10, 15, 20]
    assert nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    assert nice_ticks(12, 12.5) == [12, 12.2, 12.4, 12.6]  # a narrow range still starts at or below, ends at or above


def test_many_periods_show_a_readable_number_of_labels():
    labels = [str(Period.month(2015, 4).shifted(n)) for n in range(60)]
    root = parse(chart(labels=labels, series=[Series("Crimes", list(range(60)))]))
    shown = [text.text for text in root.iter(f"{SVG}text") if text.text in labels]
    # Every tenth month from the first, and the last.
    assert shown == ["Apr 2015", "Feb 2016", "Dec 2016", "Oct 2017", "Aug 2018", "Mar 2020"]


@pytest.mark.parametrize(
    "values",
    [[5], [7, 7, 7], [-3, 2, -1], [None, 4, None], [0.5, 0.25]],
)
def test_awkward_series_still_draw(values):
    root = parse(chart(labels=[str(n) for n in range(len(values))], series=[Series("Value", values)]))
    assert root.find(f"{SVG}desc") is not None


def test_percentages_stop_at_100():
    root = parse(chart(series=[Series("Share", [96, 97, 99, 98])], y_max=100))
    assert "100%" in [text.text for text in root.iter(f"{SVG}text")]
    assert "125%" not in [text.text for text in root.iter(f"{SVG}text")]


def test_sparkline():
    root = parse(sparkline(values=[14, 15, None, 16], title="Trend of KPI-V1", summary="Rose", target=12, chart_id="s"))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Trend of KPI-V1"
    assert root.find(f"{SVG}desc").text == "Rose"
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert root.find(f"{SVG}line").get("stroke-dasharray")  # the target
    assert root.find(f"{SVG}circle") is not None  # the latest point
    empty = parse(sparkline(values=[], title="Trend", summary="No figures yet."))
    assert empty.find(f"{SVG}polyline") is None


def test_an_indicators_chart_has_its_summary_target_and_comparator():
    kpi = Indicator(
        pk=7,
        ref="KPI-V1",
        name="Repeat victims",
        unit="percentage",
        polarity="lower",
        target_kind="absolute",
        target_value=Decimal(12),
        comparator_name="Met-wide figure",
    )
    quarters = [Period.of_quarter_text(f"2017/18 Q{n}") for n in (1, 2, 3, 4)]
    points = [Point(q, Decimal(v), Decimal(15)) for q, v in zip(quarters, (14, 15, 15, 16), strict=True)]
    root = parse(indicator_chart(kpi, points))
    assert root.find(f"{SVG}desc").text == "Rose from 14% to 16% between 2017/18 Q1 and Q4; target 12%; worsening"
    legend = [text.text for text in root.iter(f"{SVG}text")]
    assert "Target" in legend and "Met-wide figure" in legend
    assert root.get("aria-labelledby") == "chart-7-title chart-7-desc"
    spark = parse(indicator_sparkline(kpi, points))
    assert spark.find(f"{SVG}desc").text.startswith("Rose from 14% to 16%")


def test_an_indicators_chart_is_drawn_for_a_desktop_and_for_a_phone():
    kpi = Indicator(pk=7, ref="KPI-V1", name="Residents who feel safe after dark", unit="percentage")
    quarters = [Period.of_quarter_text(f"2017/18 Q{n}") for n in (1, 2, 3, 4)]
    points = [Point(q, Decimal(v), None) for q, v in zip(quarters, (14, 15, 15, 16), strict=True)]
    charts = indicator_charts(kpi, points)
    wide, narrow = parse(charts["wide"]), parse(charts["narrow"])
    assert wide.get("viewBox") == "0 0 680 320"
    assert narrow.get("viewBox") == f"0 0 {PHONE_CHART_WIDTH} 320"
    assert wide.get("aria-labelledby") == "chart-7-wide-title chart-7-wide-desc"
    assert narrow.get("aria-labelledby") == "chart-7-narrow-title chart-7-narrow-desc"
    assert wide.find(f"{SVG}desc").text == narrow.find(f"{SVG}desc").text
    # The legend names the line after the indicator where the name fits the chart's width.
    assert kpi.name in [text.text for text in wide.iter(f"{SVG}text")]
    assert [text.text for text in narrow.iter(f"{SVG}text")][-1] == "Value"


def test_a_legend_too_long_for_one_row_wraps_inside_the_chart():
    long_name = "Resident victims who were repeat victims"
    root = parse(chart(series=[Series(long_name, [14, 15, 15, 16]), *chart_series()[1:]]))
    width, height = (int(n) for n in root.get("viewBox").split()[2:])
    legend = {
        text.text: text for text in root.iter(f"{SVG}text") if text.text in (long_name, "Target", "Met-wide figure")
    }
    # At most 8 px a character at 14 px: each name ends inside the chart, on a row of its own if need be.
    assert [float(text.get("x")) + 8 * len(name) <= width for name, text in legend.items()] == [True] * 3
    assert len({text.get("y") for text in legend.values()}) == 2
    assert (width, height) == (680, 348)
    assert parse(chart()).get("viewBox") == "0 0 680 320"
