"""The assessment's monthly trend charts: performance.charts' line chart, the window's months against
the same months a year before, drawn twice (a wide one, and a narrow one a phone shows at full size;
templates/includes/_chart_pair.html shows one of them). The page puts the same figures in a table beside them."""

from performance.charts import PHONE_CHART_WIDTH, Series, line_chart


def _summary(trend, window):
    current = [value for value in trend.current if value is not None]
    previous = [value for value in trend.previous if value is not None]
    if not current:
        return f"{trend.name}: no data is held for {window}."
    spread = (
        f"{min(current):,} every month"
        if min(current) == max(current)
        else f"from {min(current):,} to {max(current):,} a month"
    )
    text = f"{trend.name}, {window}: {sum(current):,} in all, {spread}"
    if previous:
        text += f"; {sum(previous):,} in the same months a year before"
    return text + "."


def _tick(value):
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def assessment_chart(trend, window, *, chart_id):
    """{"wide": svg, "narrow": svg, "summary": text} for one Trend (evidence.assessment)."""
    summary = _summary(trend, window)
    series = [
        Series(f"{window.first:%b %Y} to {window.last:%b %Y}", trend.current),
        Series("A year before", trend.previous, "comparator"),
    ]
    title = f"{trend.name} by month"
    return {
        "summary": summary,
        "wide": line_chart(
            title=title,
            summary=summary,
            labels=trend.labels,
            series=series,
            format_tick=_tick,
            chart_id=f"{chart_id}-wide",
        ),
        "narrow": line_chart(
            title=title,
            summary=summary,
            labels=[label.replace(" 20", " ") for label in trend.labels],
            series=series,
            format_tick=_tick,
            chart_id=f"{chart_id}-narrow",
            width=PHONE_CHART_WIDTH,
            height=300,
        ),
    }
