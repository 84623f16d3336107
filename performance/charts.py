"""Charts drawn on the server as SVG: they need no JavaScript, print, and go into a PDF as vectors.

Two kinds: `line_chart` (values over periods, with an optional target line and comparator) and
`sparkline` (a small trend line for a table cell). Each is an <svg role="img"> with a <title> and
a <desc> holding a one-sentence summary, so a screen reader hears what the chart says; pages put
the same figures in a table beside it. Series differ by line pattern and marker shape as well as
by colour (WCAG 2.2 1.4.1), every line and text meets 3:1 and 4.5:1 contrast on white (1.4.11,
1.4.3), and there is a legend in words. `indicator_chart` and `indicator_sparkline` draw an
indicator's points.

A chart shrunk to a phone's width shrinks its labels with it, past reading. So a page shows each line
chart drawn twice, at its own width and at PHONE_CHART_WIDTH, in templates/includes/_chart_pair.html,
whose CSS shows one of them (`indicator_charts` draws an indicator's pair).

Written here rather than taken from a library: what is needed is small (two chart kinds), and the
candidates are heavy (matplotlib) or emit scripts and inline styles the CSP refuses (pygal).
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

from performance.indicators import target_for, trend_summary

# GOV.UK Frontend colours, with their contrast on white.
INK = "#0b0c0c"  # text and the target line: 19:1
SECONDARY_INK = "#505a5f"  # axis labels: 7:1
GRID = "#b1b4b6"  # gridlines: decorative, so no contrast need
BLUE = "#1d70b8"  # the indicator's values: 5.2:1
PURPLE = "#4c2c92"  # the comparator: 11:1

# A phone's screen less the page's margins: drawn at this width, a chart is not scaled down at all.
PHONE_CHART_WIDTH = 340

# How each series is told apart without colour.
STYLES = {
    "value": {"colour": BLUE, "dash": "", "marker": "circle", "width": 3},
    "target": {"colour": INK, "dash": "8 5", "marker": "", "width": 2},
    "comparator": {"colour": PURPLE, "dash": "2 4", "marker": "square", "width": 2.5},
}


@dataclass
class Series:
    """One line: its name in the legend, its values (aligned with the chart's labels; None is a gap),
    and its kind ("value", "target" or "comparator"), which sets its colour, pattern and marker."""

    name: str
    values: list
    kind: str = "value"


def _number(value):
    return float(value) if value is not None else None


def nice_ticks(low, high, count=5):
    """Round tick values covering low..high, about `count` of them."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
        if len(ticks) > 20:
            break
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _label_step(count, room):
    """Show every n-th x label so that at most `room` fit."""
    return max(1, math.ceil(count / max(room, 1)))


def _fmt(value):
    """A coordinate with at most one decimal place."""
    return f"{value:.1f}".removesuffix(".0")


def _marker(kind, x, y, colour):
    if kind == "circle":
        return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
    if kind == "square":
        return (
            f'<rect x="{_fmt(x - 4)}" y="{_fmt(y - 4)}" width="8" height="8" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    return ""


def _segments(points):
    """Runs of consecutive points without gaps."""
    run = []
    for point in points:
        if point is None:
            if run:
                yield run
            run = []
        else:
            run.append(point)
    if run:
        yield run


def line_chart(
    *,
    title,
    summary,
    labels,
    series,
    format_tick=None,
    chart_id="chart",
    width=680,
    height=320,
    start_at_zero=True,
    y_max=None,
):
    """An SVG line chart of `series` over `labels` (the periods), with a legend.

    `summary` is the sentence a screen reader hears (and the page should also show);
    `format_tick` turns a y value into axis text (e.g. "15%"); `y_max` caps the axis (100 for
    percentages).
    """
    format_tick = format_tick or (lambda value: f"{value:g}")
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    ticks = _y_ticks(series, start_at_zero=start_at_zero, y_max=y_max)
    left = 64
    legend = _legend_rows(series, left=left, room=width - left)
    legend_height = LEGEND_ROW * len(legend)
    height += legend_height - LEGEND_ROW  # a legend that wraps makes the chart taller, not the plot shorter
    plot = _Plot(width=width, lower=height - 44 - legend_height, count=len(labels), bottom=ticks[0], top=ticks[-1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f"font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\">",
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(summary)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        '<g aria-hidden="true">',
        *_y_axis(plot, ticks, format_tick),
        *_x_axis(plot, labels),
        *_lines(plot, series),
    ]
    # The legend: a sample of each line's pattern and marker, with its name.
    for row, placed in enumerate(legend):
        y = height - legend_height + LEGEND_ROW * row + LEGEND_ROW / 2 - 4
        parts.extend(_legend_item(line, x, y) for line, x in placed)
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()


def _y_ticks(series, *, start_at_zero, y_max):
    """The y axis's tick values, bottom to top, covering every value with a little room above."""
    numbers = [_number(v) for s in series for v in s.values if v is not None]
    low = min(numbers, default=0)
    high = max(numbers, default=1)
    if start_at_zero and low >= 0:
        low = 0
    if high == low:
        high = low + (abs(low) or 1)
    ticks = nice_ticks(low, high)
    if ticks[-1] == high and len(ticks) > 1:
        ticks.append(ticks[-1] + ticks[1] - ticks[0])  # headroom: no line runs along the top edge
    if y_max is not None:
        ticks = [tick for tick in ticks if tick <= y_max] or ticks
        if ticks[-1] < high:
            ticks.append(y_max)
    return ticks


@dataclass
class _Plot:
    """The plotting area of a line chart: where a period index and a value are drawn."""

    width: int
    lower: float  # the x axis's y
    count: int  # periods
    bottom: float  # the lowest and highest ticks
    top: float
    left: int = 64
    right: int = 40  # room on the right for the last period's label
    upper: int = 16

    @property
    def plot_width(self):
        return self.width - self.left - self.right

    def x_of(self, index):
        if self.count == 1:
            return self.left + self.plot_width / 2
        return self.left + self.plot_width * index / (self.count - 1)

    def y_of(self, value):
        return self.lower - (self.lower - self.upper) * (value - self.bottom) / ((self.top - self.bottom) or 1)


def _y_axis(plot, ticks, format_tick):
    """A gridline and a label for each tick, and the x axis's line."""
    end = plot.width - plot.right
    for tick in ticks:
        y = plot.y_of(tick)
        yield f'<line x1="{plot.left}" y1="{_fmt(y)}" x2="{end}" y2="{_fmt(y)}" stroke="{GRID}" stroke-width="1"/>'
        yield (
            f'<text x="{plot.left - 8}" y="{_fmt(y + 5)}" text-anchor="end" font-size="14" fill="{SECONDARY_INK}">'
            f"{escape(format_tick(tick))}</text>"
        )
    yield f'<line x1="{plot.left}" y1="{plot.lower}" x2="{end}" y2="{plot.lower}" stroke="{INK}" stroke-width="1"/>'


X_LABEL_CHARACTER = 9  # px: the widest a character of an axis label runs at 14 px (DejaVu Sans's digits)


def _x_axis(plot, labels):
    """Every n-th period's tick and label, as many as fit, always the last."""
    lower, last = plot.lower, len(labels) - 1
    step = _label_step(len(labels), plot.plot_width // 90)
    for index, label in enumerate(labels):
        shown = index % step == 0 or index == last
        if shown and index != last and last - index < step:
            shown = False  # leave room for the last label
        if shown:
            x = plot.x_of(index)
            # A label centred on its tick, moved left where it would run past the chart's edge.
            middle = min(x, plot.width - X_LABEL_CHARACTER * len(label) / 2 - 2)
            yield f'<line x1="{_fmt(x)}" y1="{lower}" x2="{_fmt(x)}" y2="{lower + 5}" stroke="{INK}"/>'
            yield (
                f'<text x="{_fmt(middle)}" y="{lower + 22}" text-anchor="middle" font-size="14" fill="{SECONDARY_INK}">'
                f"{escape(label)}</text>"
            )


def _lines(plot, series):
    """Each series as lines between its points (broken at gaps), with markers when there is room."""
    # Target and comparator first, so the values' line is drawn on top.
    for line in sorted(series, key=lambda s: s.kind == "value"):
        style = STYLES[line.kind]
        points = [(plot.x_of(i), plot.y_of(_number(v))) if v is not None else None for i, v in enumerate(line.values)]
        for run in _segments(points):
            if len(run) == 1 and not style["marker"]:
                run = [(run[0][0] - 6, run[0][1]), (run[0][0] + 6, run[0][1])]
            coordinates = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in run)
            dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
            yield (
                f'<polyline points="{coordinates}" fill="none" stroke="{style["colour"]}" '
                f'stroke-width="{style["width"]}" stroke-linejoin="round" stroke-linecap="round"{dash}/>'
            )
        if style["marker"] and plot.count <= 40:
            yield from (_marker(style["marker"], x, y, style["colour"]) for x, y in filter(None, points))


LEGEND_ROW = 28


def _legend_width(line):
    """Room a legend entry takes: its sample line, then its name (at most 8 px a character at 14 px)."""
    return 44 + 8 * len(line.name)


def _legend_rows(series, *, left, room):
    """[[(line, x)]]: the legend's entries placed left to right, a new row where the next would not fit."""
    rows, x = [[]], left
    for line in series:
        if rows[-1] and x + _legend_width(line) > left + room:
            rows.append([])
            x = left
        rows[-1].append((line, x))
        x += _legend_width(line) + 24
    return rows


def _legend_item(line, x, y):
    style = STYLES[line.kind]
    dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
    return (
        f'<line x1="{x}" y1="{_fmt(y)}" x2="{x + 36}" y2="{_fmt(y)}" stroke="{style["colour"]}" '
        f'stroke-width="{style["width"]}"{dash}/>'
        + _marker(style["marker"], x + 18, y, style["colour"])
        + f'<text x="{x + 44}" y="{_fmt(y + 5)}" font-size="14" fill="{INK}">{escape(line.name)}</text>'
    )


def sparkline(*, values, title, summary, target=None, chart_id="spark", width=120, height=32):
    """A small trend line (latest point marked), with an optional dashed target line."""
    numbers = [_number(v) for v in values]
    present = [n for n in numbers if n is not None]
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-sparkline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(summary)}</desc>',
    ]
    if present:
        scale = present + ([_number(target)] if target is not None else [])
        low, high = min(scale), max(scale)
        if high == low:
            low, high = low - 1, high + 1
        pad = 4

        def x_of(index):
            return pad + (width - 2 * pad) * (index / (len(numbers) - 1) if len(numbers) > 1 else 0.5)

        def y_of(value):
            return height - pad - (height - 2 * pad) * (value - low) / (high - low)

        if target is not None:
            y = y_of(_number(target))
            parts.append(
                f'<line x1="{pad}" y1="{_fmt(y)}" x2="{width - pad}" y2="{_fmt(y)}" stroke="{INK}" '
                f'stroke-width="1" stroke-dasharray="4 3"/>'
            )
        points = [(x_of(i), y_of(n)) if n is not None else None for i, n in enumerate(numbers)]
        for run in _segments(points):
            coordinates = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in run)
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{BLUE}" stroke-width="2" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
        last = next(point for point in reversed(points) if point is not None)
        parts.append(f'<circle cx="{_fmt(last[0])}" cy="{_fmt(last[1])}" r="3" fill="{BLUE}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()


# Indicators --------------------------------------------------------------------------------------


def _tick_formatter(indicator):
    """Axis text in the indicator's unit, at the tick's own precision: "12.5%", "£1,000", "2,500"."""

    def format_tick(value):
        text = f"{Decimal(str(value)).normalize():,f}"
        if indicator.unit == "percentage":
            return f"{text}%"
        if indicator.unit == "money":
            return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"
        return text

    return format_tick


@dataclass
class _IndicatorLines:
    """What an indicator's chart shows at any width: its periods' labels, its values, its target and
    comparator lines, and the sentence that sums it up."""

    labels: list
    values: list
    others: list
    summary: str

    @classmethod
    def of(cls, indicator, points):
        others = []
        targets = [target_for(indicator, point.comparator_value) for point in points]
        drawn_target = indicator.rated and indicator.target_kind and indicator.target_kind != "benchmark"
        if drawn_target and any(target is not None for target in targets):
            others.append(Series("Target", targets, "target"))
        comparators = [point.comparator_value for point in points]
        if any(value is not None for value in comparators):
            name = indicator.comparator_name or "Comparator"
            if indicator.target_kind == "benchmark":
                name += " (target)"
            others.append(Series(name, comparators, "comparator"))
        labels = [str(point.period) for point in points]
        return cls(labels, [point.value for point in points], others, trend_summary(indicator, points))


def indicator_chart(indicator, points, *, chart_id=None, width=680, lines=None):
    """The indicator's values over its periods, with its target line and its comparator (`lines`, an
    _IndicatorLines of them, when already worked out for another width)."""
    lines = lines or _IndicatorLines.of(indicator, points)
    # The legend names the values' line after the indicator where the name fits on one line.
    named = len(indicator.name) <= 40 and _legend_width(Series(indicator.name, [])) <= width - 64
    return line_chart(
        title=f"{indicator.ref} {indicator.name}: values by period",
        summary=lines.summary,
        labels=lines.labels,
        series=[Series(indicator.name if named else "Value", lines.values), *lines.others],
        format_tick=_tick_formatter(indicator),
        chart_id=chart_id or f"chart-{indicator.pk}",
        width=width,
        y_max=100 if indicator.unit == "percentage" else None,
    )


def indicator_charts(indicator, points, *, chart_id=None):
    """{"wide": svg, "narrow": svg}: the indicator's chart for a desktop and for a phone, for
    templates/includes/_chart_pair.html. What they show is worked out once for both."""
    chart_id = chart_id or f"chart-{indicator.pk}"
    lines = _IndicatorLines.of(indicator, points)
    return {
        "wide": indicator_chart(indicator, points, chart_id=f"{chart_id}-wide", lines=lines),
        "narrow": indicator_chart(
            indicator, points, chart_id=f"{chart_id}-narrow", width=PHONE_CHART_WIDTH, lines=lines
        ),
    }


def indicator_sparkline(indicator, points, *, chart_id=None):
    latest = points[-1] if points else None
    target = target_for(indicator, latest.comparator_value) if latest else None
    return sparkline(
        values=[point.value for point in points],
        title=f"Trend of {indicator.ref}",
        summary=trend_summary(indicator, points),
        target=target,
        chart_id=chart_id or f"spark-{indicator.pk}",
    )
